# Sleeps the number of seconds in its argument (default 1), then says so.
seconds=${1:-1}
sleep "$seconds"
printf 'slept %s' "$seconds"
