# Prints its argument verbatim, with no trailing newline.
printf '%s' "$1"
