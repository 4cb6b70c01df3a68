# param_mode env: prints the FAAS_PARAM environment variable.
printf '%s' "$FAAS_PARAM"
