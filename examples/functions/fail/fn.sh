# Writes to both streams and exits 3: the platform must report it as a failure.
printf 'partial output'
echo "fail: something went wrong: $1" >&2
exit 3
