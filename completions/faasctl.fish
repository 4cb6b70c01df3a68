# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_faasctl_global_optspecs
    string join \n api-url= ca-cert= profile= config= no-keyring insecure o/output= v/verbose h/help V/version
end

function __fish_faasctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_faasctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_faasctl_using_subcommand
    set -l cmd (__fish_faasctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c faasctl -n "__fish_faasctl_needs_command" -l api-url -d 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]' -r
complete -c faasctl -n "__fish_faasctl_needs_command" -l ca-cert -d 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)' -r -F
complete -c faasctl -n "__fish_faasctl_needs_command" -l profile -d 'Profile in the config file to read settings from and log in to [default: default]' -r
complete -c faasctl -n "__fish_faasctl_needs_command" -l config -d 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it' -r -F
complete -c faasctl -n "__fish_faasctl_needs_command" -s o -l output -d 'How to print data: human-readable text (tables) or JSON' -r -f -a "text\t''
json\t''"
complete -c faasctl -n "__fish_faasctl_needs_command" -l no-keyring -d 'Never use the OS keyring; keep the token in the 0600 file instead'
complete -c faasctl -n "__fish_faasctl_needs_command" -l insecure -d 'Do not verify the server\'s TLS certificate (warns; prefer --ca-cert)'
complete -c faasctl -n "__fish_faasctl_needs_command" -s v -l verbose -d 'Show each HTTP request and the full error chain'
complete -c faasctl -n "__fish_faasctl_needs_command" -s h -l help -d 'Print help'
complete -c faasctl -n "__fish_faasctl_needs_command" -s V -l version -d 'Print version'
complete -c faasctl -n "__fish_faasctl_needs_command" -f -a "register" -d 'Create an account'
complete -c faasctl -n "__fish_faasctl_needs_command" -f -a "login" -d 'Log in and store the token (in the OS keyring, else a 0600 file)'
complete -c faasctl -n "__fish_faasctl_needs_command" -f -a "logout" -d 'Revoke the stored token on the server and forget it'
complete -c faasctl -n "__fish_faasctl_needs_command" -f -a "passwd" -d 'Change your password (your other sessions are logged out)'
complete -c faasctl -n "__fish_faasctl_needs_command" -f -a "account" -d 'Manage your account'
complete -c faasctl -n "__fish_faasctl_needs_command" -f -a "whoami" -d 'Show who is logged in and until when'
complete -c faasctl -n "__fish_faasctl_needs_command" -f -a "fn" -d 'Manage functions'
complete -c faasctl -n "__fish_faasctl_needs_command" -f -a "secret" -d 'Manage your secrets (functions read them as files)'
complete -c faasctl -n "__fish_faasctl_needs_command" -f -a "invoke" -d 'Run a function and print its result'
complete -c faasctl -n "__fish_faasctl_needs_command" -f -a "activations" -d 'Inspect past activations (kept 24 h)'
complete -c faasctl -n "__fish_faasctl_needs_command" -f -a "key" -d 'Manage API keys for CI (use one as FAAS_TOKEN)'
complete -c faasctl -n "__fish_faasctl_needs_command" -f -a "logs" -d 'Print the logs (stderr) of one activation'
complete -c faasctl -n "__fish_faasctl_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c faasctl -n "__fish_faasctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c faasctl -n "__fish_faasctl_using_subcommand register" -s u -l username -d 'Username: 3 to 32 characters a-z, 0-9, \'_\' or \'-\', starting with a letter (prompted for when omitted on a terminal)' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand register" -l invite -d 'The operator\'s single-use invite code, where registration is by invitation' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand register" -l api-url -d 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand register" -l ca-cert -d 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand register" -l profile -d 'Profile in the config file to read settings from and log in to [default: default]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand register" -l config -d 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand register" -s o -l output -d 'How to print data: human-readable text (tables) or JSON' -r -f -a "text\t''
json\t''"
complete -c faasctl -n "__fish_faasctl_using_subcommand register" -l password-stdin -d 'Read the password from the first line of standard input instead of prompting'
complete -c faasctl -n "__fish_faasctl_using_subcommand register" -l no-keyring -d 'Never use the OS keyring; keep the token in the 0600 file instead'
complete -c faasctl -n "__fish_faasctl_using_subcommand register" -l insecure -d 'Do not verify the server\'s TLS certificate (warns; prefer --ca-cert)'
complete -c faasctl -n "__fish_faasctl_using_subcommand register" -s v -l verbose -d 'Show each HTTP request and the full error chain'
complete -c faasctl -n "__fish_faasctl_using_subcommand register" -s h -l help -d 'Print help'
complete -c faasctl -n "__fish_faasctl_using_subcommand login" -s u -l username -d 'Username [default: the profile\'s, or prompted for on a terminal]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand login" -l api-url -d 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand login" -l ca-cert -d 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand login" -l profile -d 'Profile in the config file to read settings from and log in to [default: default]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand login" -l config -d 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand login" -s o -l output -d 'How to print data: human-readable text (tables) or JSON' -r -f -a "text\t''
json\t''"
complete -c faasctl -n "__fish_faasctl_using_subcommand login" -l password-stdin -d 'Read the password from the first line of standard input instead of prompting'
complete -c faasctl -n "__fish_faasctl_using_subcommand login" -l no-keyring -d 'Never use the OS keyring; keep the token in the 0600 file instead'
complete -c faasctl -n "__fish_faasctl_using_subcommand login" -l insecure -d 'Do not verify the server\'s TLS certificate (warns; prefer --ca-cert)'
complete -c faasctl -n "__fish_faasctl_using_subcommand login" -s v -l verbose -d 'Show each HTTP request and the full error chain'
complete -c faasctl -n "__fish_faasctl_using_subcommand login" -s h -l help -d 'Print help'
complete -c faasctl -n "__fish_faasctl_using_subcommand logout" -l api-url -d 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand logout" -l ca-cert -d 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand logout" -l profile -d 'Profile in the config file to read settings from and log in to [default: default]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand logout" -l config -d 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand logout" -s o -l output -d 'How to print data: human-readable text (tables) or JSON' -r -f -a "text\t''
json\t''"
complete -c faasctl -n "__fish_faasctl_using_subcommand logout" -l no-keyring -d 'Never use the OS keyring; keep the token in the 0600 file instead'
complete -c faasctl -n "__fish_faasctl_using_subcommand logout" -l insecure -d 'Do not verify the server\'s TLS certificate (warns; prefer --ca-cert)'
complete -c faasctl -n "__fish_faasctl_using_subcommand logout" -s v -l verbose -d 'Show each HTTP request and the full error chain'
complete -c faasctl -n "__fish_faasctl_using_subcommand logout" -s h -l help -d 'Print help'
complete -c faasctl -n "__fish_faasctl_using_subcommand passwd" -l api-url -d 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand passwd" -l ca-cert -d 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand passwd" -l profile -d 'Profile in the config file to read settings from and log in to [default: default]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand passwd" -l config -d 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand passwd" -s o -l output -d 'How to print data: human-readable text (tables) or JSON' -r -f -a "text\t''
json\t''"
complete -c faasctl -n "__fish_faasctl_using_subcommand passwd" -l password-stdin -d 'Read the current password, then the new one, from the first two lines of standard input instead of prompting'
complete -c faasctl -n "__fish_faasctl_using_subcommand passwd" -l no-keyring -d 'Never use the OS keyring; keep the token in the 0600 file instead'
complete -c faasctl -n "__fish_faasctl_using_subcommand passwd" -l insecure -d 'Do not verify the server\'s TLS certificate (warns; prefer --ca-cert)'
complete -c faasctl -n "__fish_faasctl_using_subcommand passwd" -s v -l verbose -d 'Show each HTTP request and the full error chain'
complete -c faasctl -n "__fish_faasctl_using_subcommand passwd" -s h -l help -d 'Print help'
complete -c faasctl -n "__fish_faasctl_using_subcommand account; and not __fish_seen_subcommand_from delete help" -l api-url -d 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand account; and not __fish_seen_subcommand_from delete help" -l ca-cert -d 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand account; and not __fish_seen_subcommand_from delete help" -l profile -d 'Profile in the config file to read settings from and log in to [default: default]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand account; and not __fish_seen_subcommand_from delete help" -l config -d 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand account; and not __fish_seen_subcommand_from delete help" -s o -l output -d 'How to print data: human-readable text (tables) or JSON' -r -f -a "text\t''
json\t''"
complete -c faasctl -n "__fish_faasctl_using_subcommand account; and not __fish_seen_subcommand_from delete help" -l no-keyring -d 'Never use the OS keyring; keep the token in the 0600 file instead'
complete -c faasctl -n "__fish_faasctl_using_subcommand account; and not __fish_seen_subcommand_from delete help" -l insecure -d 'Do not verify the server\'s TLS certificate (warns; prefer --ca-cert)'
complete -c faasctl -n "__fish_faasctl_using_subcommand account; and not __fish_seen_subcommand_from delete help" -s v -l verbose -d 'Show each HTTP request and the full error chain'
complete -c faasctl -n "__fish_faasctl_using_subcommand account; and not __fish_seen_subcommand_from delete help" -s h -l help -d 'Print help'
complete -c faasctl -n "__fish_faasctl_using_subcommand account; and not __fish_seen_subcommand_from delete help" -f -a "delete" -d 'Delete your account with its functions and activation records'
complete -c faasctl -n "__fish_faasctl_using_subcommand account; and not __fish_seen_subcommand_from delete help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c faasctl -n "__fish_faasctl_using_subcommand account; and __fish_seen_subcommand_from delete" -l api-url -d 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand account; and __fish_seen_subcommand_from delete" -l ca-cert -d 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand account; and __fish_seen_subcommand_from delete" -l profile -d 'Profile in the config file to read settings from and log in to [default: default]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand account; and __fish_seen_subcommand_from delete" -l config -d 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand account; and __fish_seen_subcommand_from delete" -s o -l output -d 'How to print data: human-readable text (tables) or JSON' -r -f -a "text\t''
json\t''"
complete -c faasctl -n "__fish_faasctl_using_subcommand account; and __fish_seen_subcommand_from delete" -s y -l yes -d 'Do not ask for confirmation (required when not running in a terminal)'
complete -c faasctl -n "__fish_faasctl_using_subcommand account; and __fish_seen_subcommand_from delete" -l password-stdin -d 'Read the password from the first line of standard input instead of prompting'
complete -c faasctl -n "__fish_faasctl_using_subcommand account; and __fish_seen_subcommand_from delete" -l no-keyring -d 'Never use the OS keyring; keep the token in the 0600 file instead'
complete -c faasctl -n "__fish_faasctl_using_subcommand account; and __fish_seen_subcommand_from delete" -l insecure -d 'Do not verify the server\'s TLS certificate (warns; prefer --ca-cert)'
complete -c faasctl -n "__fish_faasctl_using_subcommand account; and __fish_seen_subcommand_from delete" -s v -l verbose -d 'Show each HTTP request and the full error chain'
complete -c faasctl -n "__fish_faasctl_using_subcommand account; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help'
complete -c faasctl -n "__fish_faasctl_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete your account with its functions and activation records'
complete -c faasctl -n "__fish_faasctl_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c faasctl -n "__fish_faasctl_using_subcommand whoami" -l api-url -d 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand whoami" -l ca-cert -d 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand whoami" -l profile -d 'Profile in the config file to read settings from and log in to [default: default]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand whoami" -l config -d 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand whoami" -s o -l output -d 'How to print data: human-readable text (tables) or JSON' -r -f -a "text\t''
json\t''"
complete -c faasctl -n "__fish_faasctl_using_subcommand whoami" -l no-keyring -d 'Never use the OS keyring; keep the token in the 0600 file instead'
complete -c faasctl -n "__fish_faasctl_using_subcommand whoami" -l insecure -d 'Do not verify the server\'s TLS certificate (warns; prefer --ca-cert)'
complete -c faasctl -n "__fish_faasctl_using_subcommand whoami" -s v -l verbose -d 'Show each HTTP request and the full error chain'
complete -c faasctl -n "__fish_faasctl_using_subcommand whoami" -s h -l help -d 'Print help'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and not __fish_seen_subcommand_from add rm ls get help" -l api-url -d 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and not __fish_seen_subcommand_from add rm ls get help" -l ca-cert -d 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and not __fish_seen_subcommand_from add rm ls get help" -l profile -d 'Profile in the config file to read settings from and log in to [default: default]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and not __fish_seen_subcommand_from add rm ls get help" -l config -d 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and not __fish_seen_subcommand_from add rm ls get help" -s o -l output -d 'How to print data: human-readable text (tables) or JSON' -r -f -a "text\t''
json\t''"
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and not __fish_seen_subcommand_from add rm ls get help" -l no-keyring -d 'Never use the OS keyring; keep the token in the 0600 file instead'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and not __fish_seen_subcommand_from add rm ls get help" -l insecure -d 'Do not verify the server\'s TLS certificate (warns; prefer --ca-cert)'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and not __fish_seen_subcommand_from add rm ls get help" -s v -l verbose -d 'Show each HTTP request and the full error chain'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and not __fish_seen_subcommand_from add rm ls get help" -s h -l help -d 'Print help'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and not __fish_seen_subcommand_from add rm ls get help" -f -a "add" -d 'Register a function, or update it if it exists'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and not __fish_seen_subcommand_from add rm ls get help" -f -a "rm" -d 'Delete a function'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and not __fish_seen_subcommand_from add rm ls get help" -f -a "ls" -d 'List your functions'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and not __fish_seen_subcommand_from add rm ls get help" -f -a "get" -d 'Show one function'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and not __fish_seen_subcommand_from add rm ls get help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from add" -l image -d 'Container image to run, e.g. faas-examples/reverse:latest' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from add" -l timeout -d 'Time limit per invocation, e.g. 500ms, 30s, 2m (server default 30s, max 5m)' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from add" -l memory -d 'Memory limit, e.g. 128Mi, 1Gi (server default 128Mi, max 2Gi)' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from add" -l param-mode -d 'How the parameter reaches the function: as its argument, on stdin, or in $FAAS_PARAM [default: argv]' -r -f -a "argv\t''
stdin\t''
env\t''"
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from add" -l secret -d 'A secret of yours the function reads from /run/secrets/NAME (repeatable; set it with `faasctl secret set NAME`)' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from add" -l max-concurrency -d 'Most activations of this function queued or running at once; more are refused (429) until one ends [default: no limit of its own]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from add" -l prewarm -d 'Containers each worker keeps started for this function, so an invocation skips the container start: 0 to 16 (server default 0)' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from add" -l api-url -d 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from add" -l ca-cert -d 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from add" -l profile -d 'Profile in the config file to read settings from and log in to [default: default]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from add" -l config -d 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from add" -s o -l output -d 'How to print data: human-readable text (tables) or JSON' -r -f -a "text\t''
json\t''"
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from add" -l network -d 'Give the function network access (it has none by default)'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from add" -l no-keyring -d 'Never use the OS keyring; keep the token in the 0600 file instead'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from add" -l insecure -d 'Do not verify the server\'s TLS certificate (warns; prefer --ca-cert)'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from add" -s v -l verbose -d 'Show each HTTP request and the full error chain'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from rm" -l api-url -d 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from rm" -l ca-cert -d 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from rm" -l profile -d 'Profile in the config file to read settings from and log in to [default: default]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from rm" -l config -d 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from rm" -s o -l output -d 'How to print data: human-readable text (tables) or JSON' -r -f -a "text\t''
json\t''"
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from rm" -s y -l yes -d 'Do not ask for confirmation (required when not running in a terminal)'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from rm" -l no-keyring -d 'Never use the OS keyring; keep the token in the 0600 file instead'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from rm" -l insecure -d 'Do not verify the server\'s TLS certificate (warns; prefer --ca-cert)'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from rm" -s v -l verbose -d 'Show each HTTP request and the full error chain'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from ls" -l api-url -d 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from ls" -l ca-cert -d 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from ls" -l profile -d 'Profile in the config file to read settings from and log in to [default: default]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from ls" -l config -d 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from ls" -s o -l output -d 'How to print data: human-readable text (tables) or JSON' -r -f -a "text\t''
json\t''"
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from ls" -l no-keyring -d 'Never use the OS keyring; keep the token in the 0600 file instead'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from ls" -l insecure -d 'Do not verify the server\'s TLS certificate (warns; prefer --ca-cert)'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from ls" -s v -l verbose -d 'Show each HTTP request and the full error chain'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from get" -l api-url -d 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from get" -l ca-cert -d 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from get" -l profile -d 'Profile in the config file to read settings from and log in to [default: default]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from get" -l config -d 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from get" -s o -l output -d 'How to print data: human-readable text (tables) or JSON' -r -f -a "text\t''
json\t''"
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from get" -l no-keyring -d 'Never use the OS keyring; keep the token in the 0600 file instead'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from get" -l insecure -d 'Do not verify the server\'s TLS certificate (warns; prefer --ca-cert)'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from get" -s v -l verbose -d 'Show each HTTP request and the full error chain'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from help" -f -a "add" -d 'Register a function, or update it if it exists'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Delete a function'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List your functions'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from help" -f -a "get" -d 'Show one function'
complete -c faasctl -n "__fish_faasctl_using_subcommand fn; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and not __fish_seen_subcommand_from set ls rm help" -l api-url -d 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and not __fish_seen_subcommand_from set ls rm help" -l ca-cert -d 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and not __fish_seen_subcommand_from set ls rm help" -l profile -d 'Profile in the config file to read settings from and log in to [default: default]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and not __fish_seen_subcommand_from set ls rm help" -l config -d 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and not __fish_seen_subcommand_from set ls rm help" -s o -l output -d 'How to print data: human-readable text (tables) or JSON' -r -f -a "text\t''
json\t''"
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and not __fish_seen_subcommand_from set ls rm help" -l no-keyring -d 'Never use the OS keyring; keep the token in the 0600 file instead'
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and not __fish_seen_subcommand_from set ls rm help" -l insecure -d 'Do not verify the server\'s TLS certificate (warns; prefer --ca-cert)'
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and not __fish_seen_subcommand_from set ls rm help" -s v -l verbose -d 'Show each HTTP request and the full error chain'
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and not __fish_seen_subcommand_from set ls rm help" -s h -l help -d 'Print help'
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and not __fish_seen_subcommand_from set ls rm help" -f -a "set" -d 'Set a secret (from a hidden prompt, standard input, or --from-file)'
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and not __fish_seen_subcommand_from set ls rm help" -f -a "ls" -d 'List your secrets\' names (never their values)'
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and not __fish_seen_subcommand_from set ls rm help" -f -a "rm" -d 'Delete a secret'
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and not __fish_seen_subcommand_from set ls rm help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from set" -l from-file -d 'Read the value from this file, bytes exact [default: a hidden prompt on a terminal, else all of standard input, bytes exact]' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from set" -l api-url -d 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from set" -l ca-cert -d 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from set" -l profile -d 'Profile in the config file to read settings from and log in to [default: default]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from set" -l config -d 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from set" -s o -l output -d 'How to print data: human-readable text (tables) or JSON' -r -f -a "text\t''
json\t''"
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from set" -l no-keyring -d 'Never use the OS keyring; keep the token in the 0600 file instead'
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from set" -l insecure -d 'Do not verify the server\'s TLS certificate (warns; prefer --ca-cert)'
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from set" -s v -l verbose -d 'Show each HTTP request and the full error chain'
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help'
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from ls" -l api-url -d 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from ls" -l ca-cert -d 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from ls" -l profile -d 'Profile in the config file to read settings from and log in to [default: default]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from ls" -l config -d 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from ls" -s o -l output -d 'How to print data: human-readable text (tables) or JSON' -r -f -a "text\t''
json\t''"
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from ls" -l no-keyring -d 'Never use the OS keyring; keep the token in the 0600 file instead'
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from ls" -l insecure -d 'Do not verify the server\'s TLS certificate (warns; prefer --ca-cert)'
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from ls" -s v -l verbose -d 'Show each HTTP request and the full error chain'
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from rm" -l api-url -d 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from rm" -l ca-cert -d 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from rm" -l profile -d 'Profile in the config file to read settings from and log in to [default: default]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from rm" -l config -d 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from rm" -s o -l output -d 'How to print data: human-readable text (tables) or JSON' -r -f -a "text\t''
json\t''"
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from rm" -s y -l yes -d 'Do not ask for confirmation (required when not running in a terminal)'
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from rm" -l no-keyring -d 'Never use the OS keyring; keep the token in the 0600 file instead'
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from rm" -l insecure -d 'Do not verify the server\'s TLS certificate (warns; prefer --ca-cert)'
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from rm" -s v -l verbose -d 'Show each HTTP request and the full error chain'
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from help" -f -a "set" -d 'Set a secret (from a hidden prompt, standard input, or --from-file)'
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List your secrets\' names (never their values)'
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Delete a secret'
complete -c faasctl -n "__fish_faasctl_using_subcommand secret; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c faasctl -n "__fish_faasctl_using_subcommand invoke" -s f -l file -d 'Read the parameter from this file' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand invoke" -l api-url -d 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand invoke" -l ca-cert -d 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand invoke" -l profile -d 'Profile in the config file to read settings from and log in to [default: default]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand invoke" -l config -d 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand invoke" -s o -l output -d 'How to print data: human-readable text (tables) or JSON' -r -f -a "text\t''
json\t''"
complete -c faasctl -n "__fish_faasctl_using_subcommand invoke" -l logs -d 'Also print the function\'s stderr (its logs) to stderr; always done when it fails'
complete -c faasctl -n "__fish_faasctl_using_subcommand invoke" -l async -d 'Do not wait: print the activation id at once and fetch the outcome later with `faasctl activations get ID` or `faasctl logs ID`'
complete -c faasctl -n "__fish_faasctl_using_subcommand invoke" -l no-keyring -d 'Never use the OS keyring; keep the token in the 0600 file instead'
complete -c faasctl -n "__fish_faasctl_using_subcommand invoke" -l insecure -d 'Do not verify the server\'s TLS certificate (warns; prefer --ca-cert)'
complete -c faasctl -n "__fish_faasctl_using_subcommand invoke" -s v -l verbose -d 'Show each HTTP request and the full error chain'
complete -c faasctl -n "__fish_faasctl_using_subcommand invoke" -s h -l help -d 'Print help'
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and not __fish_seen_subcommand_from ls get help" -l api-url -d 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and not __fish_seen_subcommand_from ls get help" -l ca-cert -d 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and not __fish_seen_subcommand_from ls get help" -l profile -d 'Profile in the config file to read settings from and log in to [default: default]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and not __fish_seen_subcommand_from ls get help" -l config -d 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and not __fish_seen_subcommand_from ls get help" -s o -l output -d 'How to print data: human-readable text (tables) or JSON' -r -f -a "text\t''
json\t''"
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and not __fish_seen_subcommand_from ls get help" -l no-keyring -d 'Never use the OS keyring; keep the token in the 0600 file instead'
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and not __fish_seen_subcommand_from ls get help" -l insecure -d 'Do not verify the server\'s TLS certificate (warns; prefer --ca-cert)'
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and not __fish_seen_subcommand_from ls get help" -s v -l verbose -d 'Show each HTTP request and the full error chain'
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and not __fish_seen_subcommand_from ls get help" -s h -l help -d 'Print help'
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and not __fish_seen_subcommand_from ls get help" -f -a "ls" -d 'List your activations, newest first'
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and not __fish_seen_subcommand_from ls get help" -f -a "get" -d 'Show one activation: status, result, logs, timings'
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and not __fish_seen_subcommand_from ls get help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and __fish_seen_subcommand_from ls" -s f -l function -d 'Only activations of this function' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and __fish_seen_subcommand_from ls" -s n -l limit -d 'How many to show (1 to 1000)' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and __fish_seen_subcommand_from ls" -l api-url -d 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and __fish_seen_subcommand_from ls" -l ca-cert -d 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and __fish_seen_subcommand_from ls" -l profile -d 'Profile in the config file to read settings from and log in to [default: default]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and __fish_seen_subcommand_from ls" -l config -d 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and __fish_seen_subcommand_from ls" -s o -l output -d 'How to print data: human-readable text (tables) or JSON' -r -f -a "text\t''
json\t''"
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and __fish_seen_subcommand_from ls" -l no-keyring -d 'Never use the OS keyring; keep the token in the 0600 file instead'
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and __fish_seen_subcommand_from ls" -l insecure -d 'Do not verify the server\'s TLS certificate (warns; prefer --ca-cert)'
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and __fish_seen_subcommand_from ls" -s v -l verbose -d 'Show each HTTP request and the full error chain'
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and __fish_seen_subcommand_from get" -l api-url -d 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and __fish_seen_subcommand_from get" -l ca-cert -d 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and __fish_seen_subcommand_from get" -l profile -d 'Profile in the config file to read settings from and log in to [default: default]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and __fish_seen_subcommand_from get" -l config -d 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and __fish_seen_subcommand_from get" -s o -l output -d 'How to print data: human-readable text (tables) or JSON' -r -f -a "text\t''
json\t''"
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and __fish_seen_subcommand_from get" -l wait -d 'Wait until the activation has finished (the server answers as soon as it has)'
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and __fish_seen_subcommand_from get" -l no-keyring -d 'Never use the OS keyring; keep the token in the 0600 file instead'
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and __fish_seen_subcommand_from get" -l insecure -d 'Do not verify the server\'s TLS certificate (warns; prefer --ca-cert)'
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and __fish_seen_subcommand_from get" -s v -l verbose -d 'Show each HTTP request and the full error chain'
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help'
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List your activations, newest first'
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and __fish_seen_subcommand_from help" -f -a "get" -d 'Show one activation: status, result, logs, timings'
complete -c faasctl -n "__fish_faasctl_using_subcommand activations; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and not __fish_seen_subcommand_from create ls rm help" -l api-url -d 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and not __fish_seen_subcommand_from create ls rm help" -l ca-cert -d 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and not __fish_seen_subcommand_from create ls rm help" -l profile -d 'Profile in the config file to read settings from and log in to [default: default]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and not __fish_seen_subcommand_from create ls rm help" -l config -d 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and not __fish_seen_subcommand_from create ls rm help" -s o -l output -d 'How to print data: human-readable text (tables) or JSON' -r -f -a "text\t''
json\t''"
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and not __fish_seen_subcommand_from create ls rm help" -l no-keyring -d 'Never use the OS keyring; keep the token in the 0600 file instead'
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and not __fish_seen_subcommand_from create ls rm help" -l insecure -d 'Do not verify the server\'s TLS certificate (warns; prefer --ca-cert)'
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and not __fish_seen_subcommand_from create ls rm help" -s v -l verbose -d 'Show each HTTP request and the full error chain'
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and not __fish_seen_subcommand_from create ls rm help" -s h -l help -d 'Print help'
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and not __fish_seen_subcommand_from create ls rm help" -f -a "create" -d 'Create an API key and print its secret (shown only once)'
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and not __fish_seen_subcommand_from create ls rm help" -f -a "ls" -d 'List your API keys: created, expires, last used'
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and not __fish_seen_subcommand_from create ls rm help" -f -a "rm" -d 'Remove an API key: it stops working at once'
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and not __fish_seen_subcommand_from create ls rm help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from create" -l expires -d 'How long the key lives, in days: `30d` or `30` (1 to 365)' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from create" -l api-url -d 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from create" -l ca-cert -d 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from create" -l profile -d 'Profile in the config file to read settings from and log in to [default: default]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from create" -l config -d 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from create" -s o -l output -d 'How to print data: human-readable text (tables) or JSON' -r -f -a "text\t''
json\t''"
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from create" -l no-keyring -d 'Never use the OS keyring; keep the token in the 0600 file instead'
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from create" -l insecure -d 'Do not verify the server\'s TLS certificate (warns; prefer --ca-cert)'
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from create" -s v -l verbose -d 'Show each HTTP request and the full error chain'
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from ls" -l api-url -d 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from ls" -l ca-cert -d 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from ls" -l profile -d 'Profile in the config file to read settings from and log in to [default: default]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from ls" -l config -d 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from ls" -s o -l output -d 'How to print data: human-readable text (tables) or JSON' -r -f -a "text\t''
json\t''"
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from ls" -l no-keyring -d 'Never use the OS keyring; keep the token in the 0600 file instead'
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from ls" -l insecure -d 'Do not verify the server\'s TLS certificate (warns; prefer --ca-cert)'
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from ls" -s v -l verbose -d 'Show each HTTP request and the full error chain'
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from rm" -l api-url -d 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from rm" -l ca-cert -d 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from rm" -l profile -d 'Profile in the config file to read settings from and log in to [default: default]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from rm" -l config -d 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from rm" -s o -l output -d 'How to print data: human-readable text (tables) or JSON' -r -f -a "text\t''
json\t''"
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from rm" -s y -l yes -d 'Do not ask for confirmation (required when not running in a terminal)'
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from rm" -l no-keyring -d 'Never use the OS keyring; keep the token in the 0600 file instead'
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from rm" -l insecure -d 'Do not verify the server\'s TLS certificate (warns; prefer --ca-cert)'
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from rm" -s v -l verbose -d 'Show each HTTP request and the full error chain'
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create an API key and print its secret (shown only once)'
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List your API keys: created, expires, last used'
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove an API key: it stops working at once'
complete -c faasctl -n "__fish_faasctl_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c faasctl -n "__fish_faasctl_using_subcommand logs" -l api-url -d 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand logs" -l ca-cert -d 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand logs" -l profile -d 'Profile in the config file to read settings from and log in to [default: default]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand logs" -l config -d 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand logs" -s o -l output -d 'How to print data: human-readable text (tables) or JSON' -r -f -a "text\t''
json\t''"
complete -c faasctl -n "__fish_faasctl_using_subcommand logs" -l no-keyring -d 'Never use the OS keyring; keep the token in the 0600 file instead'
complete -c faasctl -n "__fish_faasctl_using_subcommand logs" -l insecure -d 'Do not verify the server\'s TLS certificate (warns; prefer --ca-cert)'
complete -c faasctl -n "__fish_faasctl_using_subcommand logs" -s v -l verbose -d 'Show each HTTP request and the full error chain'
complete -c faasctl -n "__fish_faasctl_using_subcommand logs" -s h -l help -d 'Print help'
complete -c faasctl -n "__fish_faasctl_using_subcommand completions" -l api-url -d 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand completions" -l ca-cert -d 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand completions" -l profile -d 'Profile in the config file to read settings from and log in to [default: default]' -r
complete -c faasctl -n "__fish_faasctl_using_subcommand completions" -l config -d 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it' -r -F
complete -c faasctl -n "__fish_faasctl_using_subcommand completions" -s o -l output -d 'How to print data: human-readable text (tables) or JSON' -r -f -a "text\t''
json\t''"
complete -c faasctl -n "__fish_faasctl_using_subcommand completions" -l no-keyring -d 'Never use the OS keyring; keep the token in the 0600 file instead'
complete -c faasctl -n "__fish_faasctl_using_subcommand completions" -l insecure -d 'Do not verify the server\'s TLS certificate (warns; prefer --ca-cert)'
complete -c faasctl -n "__fish_faasctl_using_subcommand completions" -s v -l verbose -d 'Show each HTTP request and the full error chain'
complete -c faasctl -n "__fish_faasctl_using_subcommand completions" -s h -l help -d 'Print help'
complete -c faasctl -n "__fish_faasctl_using_subcommand help; and not __fish_seen_subcommand_from register login logout passwd account whoami fn secret invoke activations key logs completions help" -f -a "register" -d 'Create an account'
complete -c faasctl -n "__fish_faasctl_using_subcommand help; and not __fish_seen_subcommand_from register login logout passwd account whoami fn secret invoke activations key logs completions help" -f -a "login" -d 'Log in and store the token (in the OS keyring, else a 0600 file)'
complete -c faasctl -n "__fish_faasctl_using_subcommand help; and not __fish_seen_subcommand_from register login logout passwd account whoami fn secret invoke activations key logs completions help" -f -a "logout" -d 'Revoke the stored token on the server and forget it'
complete -c faasctl -n "__fish_faasctl_using_subcommand help; and not __fish_seen_subcommand_from register login logout passwd account whoami fn secret invoke activations key logs completions help" -f -a "passwd" -d 'Change your password (your other sessions are logged out)'
complete -c faasctl -n "__fish_faasctl_using_subcommand help; and not __fish_seen_subcommand_from register login logout passwd account whoami fn secret invoke activations key logs completions help" -f -a "account" -d 'Manage your account'
complete -c faasctl -n "__fish_faasctl_using_subcommand help; and not __fish_seen_subcommand_from register login logout passwd account whoami fn secret invoke activations key logs completions help" -f -a "whoami" -d 'Show who is logged in and until when'
complete -c faasctl -n "__fish_faasctl_using_subcommand help; and not __fish_seen_subcommand_from register login logout passwd account whoami fn secret invoke activations key logs completions help" -f -a "fn" -d 'Manage functions'
complete -c faasctl -n "__fish_faasctl_using_subcommand help; and not __fish_seen_subcommand_from register login logout passwd account whoami fn secret invoke activations key logs completions help" -f -a "secret" -d 'Manage your secrets (functions read them as files)'
complete -c faasctl -n "__fish_faasctl_using_subcommand help; and not __fish_seen_subcommand_from register login logout passwd account whoami fn secret invoke activations key logs completions help" -f -a "invoke" -d 'Run a function and print its result'
complete -c faasctl -n "__fish_faasctl_using_subcommand help; and not __fish_seen_subcommand_from register login logout passwd account whoami fn secret invoke activations key logs completions help" -f -a "activations" -d 'Inspect past activations (kept 24 h)'
complete -c faasctl -n "__fish_faasctl_using_subcommand help; and not __fish_seen_subcommand_from register login logout passwd account whoami fn secret invoke activations key logs completions help" -f -a "key" -d 'Manage API keys for CI (use one as FAAS_TOKEN)'
complete -c faasctl -n "__fish_faasctl_using_subcommand help; and not __fish_seen_subcommand_from register login logout passwd account whoami fn secret invoke activations key logs completions help" -f -a "logs" -d 'Print the logs (stderr) of one activation'
complete -c faasctl -n "__fish_faasctl_using_subcommand help; and not __fish_seen_subcommand_from register login logout passwd account whoami fn secret invoke activations key logs completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c faasctl -n "__fish_faasctl_using_subcommand help; and not __fish_seen_subcommand_from register login logout passwd account whoami fn secret invoke activations key logs completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c faasctl -n "__fish_faasctl_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "delete" -d 'Delete your account with its functions and activation records'
complete -c faasctl -n "__fish_faasctl_using_subcommand help; and __fish_seen_subcommand_from fn" -f -a "add" -d 'Register a function, or update it if it exists'
complete -c faasctl -n "__fish_faasctl_using_subcommand help; and __fish_seen_subcommand_from fn" -f -a "rm" -d 'Delete a function'
complete -c faasctl -n "__fish_faasctl_using_subcommand help; and __fish_seen_subcommand_from fn" -f -a "ls" -d 'List your functions'
complete -c faasctl -n "__fish_faasctl_using_subcommand help; and __fish_seen_subcommand_from fn" -f -a "get" -d 'Show one function'
complete -c faasctl -n "__fish_faasctl_using_subcommand help; and __fish_seen_subcommand_from secret" -f -a "set" -d 'Set a secret (from a hidden prompt, standard input, or --from-file)'
complete -c faasctl -n "__fish_faasctl_using_subcommand help; and __fish_seen_subcommand_from secret" -f -a "ls" -d 'List your secrets\' names (never their values)'
complete -c faasctl -n "__fish_faasctl_using_subcommand help; and __fish_seen_subcommand_from secret" -f -a "rm" -d 'Delete a secret'
complete -c faasctl -n "__fish_faasctl_using_subcommand help; and __fish_seen_subcommand_from activations" -f -a "ls" -d 'List your activations, newest first'
complete -c faasctl -n "__fish_faasctl_using_subcommand help; and __fish_seen_subcommand_from activations" -f -a "get" -d 'Show one activation: status, result, logs, timings'
complete -c faasctl -n "__fish_faasctl_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "create" -d 'Create an API key and print its secret (shown only once)'
complete -c faasctl -n "__fish_faasctl_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "ls" -d 'List your API keys: created, expires, last used'
complete -c faasctl -n "__fish_faasctl_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "rm" -d 'Remove an API key: it stops working at once'
