# Prints its argument reversed, with no trailing newline ("hello" -> "olleh").
printf '%s' "$1" | rev
