# param_mode stdin: prints the SHA-256 of standard input (hex), so a test can tell
# that a parameter larger than the result cap arrived whole.
sha256sum | cut -d " " -f 1 | tr -d "\n"
