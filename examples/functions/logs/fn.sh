# Writes its argument to stderr (the logs) and "ok" to stdout (the result).
echo "$1" >&2
printf 'ok'
