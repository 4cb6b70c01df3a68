# param_mode stdin: copies standard input to standard output.
cat
