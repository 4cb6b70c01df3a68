
use builtin;
use str;

set edit:completion:arg-completer[faasctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'faasctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'faasctl'= {
            cand --api-url 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]'
            cand --ca-cert 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)'
            cand --profile 'Profile in the config file to read settings from and log in to [default: default]'
            cand --config 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it'
            cand -o 'How to print data: human-readable text (tables) or JSON'
            cand --output 'How to print data: human-readable text (tables) or JSON'
            cand --no-keyring 'Never use the OS keyring; keep the token in the 0600 file instead'
            cand --insecure 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)'
            cand -v 'Show each HTTP request and the full error chain'
            cand --verbose 'Show each HTTP request and the full error chain'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand register 'Create an account'
            cand login 'Log in and store the token (in the OS keyring, else a 0600 file)'
            cand logout 'Revoke the stored token on the server and forget it'
            cand passwd 'Change your password (your other sessions are logged out)'
            cand account 'Manage your account'
            cand whoami 'Show who is logged in and until when'
            cand fn 'Manage functions'
            cand secret 'Manage your secrets (functions read them as files)'
            cand invoke 'Run a function and print its result'
            cand activations 'Inspect past activations (kept 24 h)'
            cand key 'Manage API keys for CI (use one as FAAS_TOKEN)'
            cand logs 'Print the logs (stderr) of one activation'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'faasctl;register'= {
            cand -u 'Username: 3 to 32 characters a-z, 0-9, ''_'' or ''-'', starting with a letter (prompted for when omitted on a terminal)'
            cand --username 'Username: 3 to 32 characters a-z, 0-9, ''_'' or ''-'', starting with a letter (prompted for when omitted on a terminal)'
            cand --invite 'The operator''s single-use invite code, where registration is by invitation'
            cand --api-url 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]'
            cand --ca-cert 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)'
            cand --profile 'Profile in the config file to read settings from and log in to [default: default]'
            cand --config 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it'
            cand -o 'How to print data: human-readable text (tables) or JSON'
            cand --output 'How to print data: human-readable text (tables) or JSON'
            cand --password-stdin 'Read the password from the first line of standard input instead of prompting'
            cand --no-keyring 'Never use the OS keyring; keep the token in the 0600 file instead'
            cand --insecure 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)'
            cand -v 'Show each HTTP request and the full error chain'
            cand --verbose 'Show each HTTP request and the full error chain'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'faasctl;login'= {
            cand -u 'Username [default: the profile''s, or prompted for on a terminal]'
            cand --username 'Username [default: the profile''s, or prompted for on a terminal]'
            cand --api-url 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]'
            cand --ca-cert 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)'
            cand --profile 'Profile in the config file to read settings from and log in to [default: default]'
            cand --config 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it'
            cand -o 'How to print data: human-readable text (tables) or JSON'
            cand --output 'How to print data: human-readable text (tables) or JSON'
            cand --password-stdin 'Read the password from the first line of standard input instead of prompting'
            cand --no-keyring 'Never use the OS keyring; keep the token in the 0600 file instead'
            cand --insecure 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)'
            cand -v 'Show each HTTP request and the full error chain'
            cand --verbose 'Show each HTTP request and the full error chain'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'faasctl;logout'= {
            cand --api-url 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]'
            cand --ca-cert 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)'
            cand --profile 'Profile in the config file to read settings from and log in to [default: default]'
            cand --config 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it'
            cand -o 'How to print data: human-readable text (tables) or JSON'
            cand --output 'How to print data: human-readable text (tables) or JSON'
            cand --no-keyring 'Never use the OS keyring; keep the token in the 0600 file instead'
            cand --insecure 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)'
            cand -v 'Show each HTTP request and the full error chain'
            cand --verbose 'Show each HTTP request and the full error chain'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'faasctl;passwd'= {
            cand --api-url 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]'
            cand --ca-cert 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)'
            cand --profile 'Profile in the config file to read settings from and log in to [default: default]'
            cand --config 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it'
            cand -o 'How to print data: human-readable text (tables) or JSON'
            cand --output 'How to print data: human-readable text (tables) or JSON'
            cand --password-stdin 'Read the current password, then the new one, from the first two lines of standard input instead of prompting'
            cand --no-keyring 'Never use the OS keyring; keep the token in the 0600 file instead'
            cand --insecure 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)'
            cand -v 'Show each HTTP request and the full error chain'
            cand --verbose 'Show each HTTP request and the full error chain'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'faasctl;account'= {
            cand --api-url 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]'
            cand --ca-cert 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)'
            cand --profile 'Profile in the config file to read settings from and log in to [default: default]'
            cand --config 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it'
            cand -o 'How to print data: human-readable text (tables) or JSON'
            cand --output 'How to print data: human-readable text (tables) or JSON'
            cand --no-keyring 'Never use the OS keyring; keep the token in the 0600 file instead'
            cand --insecure 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)'
            cand -v 'Show each HTTP request and the full error chain'
            cand --verbose 'Show each HTTP request and the full error chain'
            cand -h 'Print help'
            cand --help 'Print help'
            cand delete 'Delete your account with its functions and activation records'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'faasctl;account;delete'= {
            cand --api-url 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]'
            cand --ca-cert 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)'
            cand --profile 'Profile in the config file to read settings from and log in to [default: default]'
            cand --config 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it'
            cand -o 'How to print data: human-readable text (tables) or JSON'
            cand --output 'How to print data: human-readable text (tables) or JSON'
            cand -y 'Do not ask for confirmation (required when not running in a terminal)'
            cand --yes 'Do not ask for confirmation (required when not running in a terminal)'
            cand --password-stdin 'Read the password from the first line of standard input instead of prompting'
            cand --no-keyring 'Never use the OS keyring; keep the token in the 0600 file instead'
            cand --insecure 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)'
            cand -v 'Show each HTTP request and the full error chain'
            cand --verbose 'Show each HTTP request and the full error chain'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'faasctl;account;help'= {
            cand delete 'Delete your account with its functions and activation records'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'faasctl;account;help;delete'= {
        }
        &'faasctl;account;help;help'= {
        }
        &'faasctl;whoami'= {
            cand --api-url 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]'
            cand --ca-cert 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)'
            cand --profile 'Profile in the config file to read settings from and log in to [default: default]'
            cand --config 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it'
            cand -o 'How to print data: human-readable text (tables) or JSON'
            cand --output 'How to print data: human-readable text (tables) or JSON'
            cand --no-keyring 'Never use the OS keyring; keep the token in the 0600 file instead'
            cand --insecure 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)'
            cand -v 'Show each HTTP request and the full error chain'
            cand --verbose 'Show each HTTP request and the full error chain'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'faasctl;fn'= {
            cand --api-url 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]'
            cand --ca-cert 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)'
            cand --profile 'Profile in the config file to read settings from and log in to [default: default]'
            cand --config 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it'
            cand -o 'How to print data: human-readable text (tables) or JSON'
            cand --output 'How to print data: human-readable text (tables) or JSON'
            cand --no-keyring 'Never use the OS keyring; keep the token in the 0600 file instead'
            cand --insecure 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)'
            cand -v 'Show each HTTP request and the full error chain'
            cand --verbose 'Show each HTTP request and the full error chain'
            cand -h 'Print help'
            cand --help 'Print help'
            cand add 'Register a function, or update it if it exists'
            cand rm 'Delete a function'
            cand ls 'List your functions'
            cand get 'Show one function'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'faasctl;fn;add'= {
            cand --image 'Container image to run, e.g. faas-examples/reverse:latest'
            cand --timeout 'Time limit per invocation, e.g. 500ms, 30s, 2m (server default 30s, max 5m)'
            cand --memory 'Memory limit, e.g. 128Mi, 1Gi (server default 128Mi, max 2Gi)'
            cand --param-mode 'How the parameter reaches the function: as its argument, on stdin, or in $FAAS_PARAM [default: argv]'
            cand --secret 'A secret of yours the function reads from /run/secrets/NAME (repeatable; set it with `faasctl secret set NAME`)'
            cand --max-concurrency 'Most activations of this function queued or running at once; more are refused (429) until one ends [default: no limit of its own]'
            cand --prewarm 'Containers each worker keeps started for this function, so an invocation skips the container start: 0 to 16 (server default 0)'
            cand --api-url 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]'
            cand --ca-cert 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)'
            cand --profile 'Profile in the config file to read settings from and log in to [default: default]'
            cand --config 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it'
            cand -o 'How to print data: human-readable text (tables) or JSON'
            cand --output 'How to print data: human-readable text (tables) or JSON'
            cand --network 'Give the function network access (it has none by default)'
            cand --no-keyring 'Never use the OS keyring; keep the token in the 0600 file instead'
            cand --insecure 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)'
            cand -v 'Show each HTTP request and the full error chain'
            cand --verbose 'Show each HTTP request and the full error chain'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'faasctl;fn;rm'= {
            cand --api-url 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]'
            cand --ca-cert 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)'
            cand --profile 'Profile in the config file to read settings from and log in to [default: default]'
            cand --config 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it'
            cand -o 'How to print data: human-readable text (tables) or JSON'
            cand --output 'How to print data: human-readable text (tables) or JSON'
            cand -y 'Do not ask for confirmation (required when not running in a terminal)'
            cand --yes 'Do not ask for confirmation (required when not running in a terminal)'
            cand --no-keyring 'Never use the OS keyring; keep the token in the 0600 file instead'
            cand --insecure 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)'
            cand -v 'Show each HTTP request and the full error chain'
            cand --verbose 'Show each HTTP request and the full error chain'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'faasctl;fn;ls'= {
            cand --api-url 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]'
            cand --ca-cert 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)'
            cand --profile 'Profile in the config file to read settings from and log in to [default: default]'
            cand --config 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it'
            cand -o 'How to print data: human-readable text (tables) or JSON'
            cand --output 'How to print data: human-readable text (tables) or JSON'
            cand --no-keyring 'Never use the OS keyring; keep the token in the 0600 file instead'
            cand --insecure 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)'
            cand -v 'Show each HTTP request and the full error chain'
            cand --verbose 'Show each HTTP request and the full error chain'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'faasctl;fn;get'= {
            cand --api-url 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]'
            cand --ca-cert 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)'
            cand --profile 'Profile in the config file to read settings from and log in to [default: default]'
            cand --config 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it'
            cand -o 'How to print data: human-readable text (tables) or JSON'
            cand --output 'How to print data: human-readable text (tables) or JSON'
            cand --no-keyring 'Never use the OS keyring; keep the token in the 0600 file instead'
            cand --insecure 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)'
            cand -v 'Show each HTTP request and the full error chain'
            cand --verbose 'Show each HTTP request and the full error chain'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'faasctl;fn;help'= {
            cand add 'Register a function, or update it if it exists'
            cand rm 'Delete a function'
            cand ls 'List your functions'
            cand get 'Show one function'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'faasctl;fn;help;add'= {
        }
        &'faasctl;fn;help;rm'= {
        }
        &'faasctl;fn;help;ls'= {
        }
        &'faasctl;fn;help;get'= {
        }
        &'faasctl;fn;help;help'= {
        }
        &'faasctl;secret'= {
            cand --api-url 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]'
            cand --ca-cert 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)'
            cand --profile 'Profile in the config file to read settings from and log in to [default: default]'
            cand --config 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it'
            cand -o 'How to print data: human-readable text (tables) or JSON'
            cand --output 'How to print data: human-readable text (tables) or JSON'
            cand --no-keyring 'Never use the OS keyring; keep the token in the 0600 file instead'
            cand --insecure 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)'
            cand -v 'Show each HTTP request and the full error chain'
            cand --verbose 'Show each HTTP request and the full error chain'
            cand -h 'Print help'
            cand --help 'Print help'
            cand set 'Set a secret (from a hidden prompt, standard input, or --from-file)'
            cand ls 'List your secrets'' names (never their values)'
            cand rm 'Delete a secret'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'faasctl;secret;set'= {
            cand --from-file 'Read the value from this file, bytes exact [default: a hidden prompt on a terminal, else all of standard input, bytes exact]'
            cand --api-url 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]'
            cand --ca-cert 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)'
            cand --profile 'Profile in the config file to read settings from and log in to [default: default]'
            cand --config 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it'
            cand -o 'How to print data: human-readable text (tables) or JSON'
            cand --output 'How to print data: human-readable text (tables) or JSON'
            cand --no-keyring 'Never use the OS keyring; keep the token in the 0600 file instead'
            cand --insecure 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)'
            cand -v 'Show each HTTP request and the full error chain'
            cand --verbose 'Show each HTTP request and the full error chain'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'faasctl;secret;ls'= {
            cand --api-url 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]'
            cand --ca-cert 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)'
            cand --profile 'Profile in the config file to read settings from and log in to [default: default]'
            cand --config 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it'
            cand -o 'How to print data: human-readable text (tables) or JSON'
            cand --output 'How to print data: human-readable text (tables) or JSON'
            cand --no-keyring 'Never use the OS keyring; keep the token in the 0600 file instead'
            cand --insecure 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)'
            cand -v 'Show each HTTP request and the full error chain'
            cand --verbose 'Show each HTTP request and the full error chain'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'faasctl;secret;rm'= {
            cand --api-url 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]'
            cand --ca-cert 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)'
            cand --profile 'Profile in the config file to read settings from and log in to [default: default]'
            cand --config 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it'
            cand -o 'How to print data: human-readable text (tables) or JSON'
            cand --output 'How to print data: human-readable text (tables) or JSON'
            cand -y 'Do not ask for confirmation (required when not running in a terminal)'
            cand --yes 'Do not ask for confirmation (required when not running in a terminal)'
            cand --no-keyring 'Never use the OS keyring; keep the token in the 0600 file instead'
            cand --insecure 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)'
            cand -v 'Show each HTTP request and the full error chain'
            cand --verbose 'Show each HTTP request and the full error chain'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'faasctl;secret;help'= {
            cand set 'Set a secret (from a hidden prompt, standard input, or --from-file)'
            cand ls 'List your secrets'' names (never their values)'
            cand rm 'Delete a secret'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'faasctl;secret;help;set'= {
        }
        &'faasctl;secret;help;ls'= {
        }
        &'faasctl;secret;help;rm'= {
        }
        &'faasctl;secret;help;help'= {
        }
        &'faasctl;invoke'= {
            cand -f 'Read the parameter from this file'
            cand --file 'Read the parameter from this file'
            cand --api-url 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]'
            cand --ca-cert 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)'
            cand --profile 'Profile in the config file to read settings from and log in to [default: default]'
            cand --config 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it'
            cand -o 'How to print data: human-readable text (tables) or JSON'
            cand --output 'How to print data: human-readable text (tables) or JSON'
            cand --logs 'Also print the function''s stderr (its logs) to stderr; always done when it fails'
            cand --async 'Do not wait: print the activation id at once and fetch the outcome later with `faasctl activations get ID` or `faasctl logs ID`'
            cand --no-keyring 'Never use the OS keyring; keep the token in the 0600 file instead'
            cand --insecure 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)'
            cand -v 'Show each HTTP request and the full error chain'
            cand --verbose 'Show each HTTP request and the full error chain'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'faasctl;activations'= {
            cand --api-url 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]'
            cand --ca-cert 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)'
            cand --profile 'Profile in the config file to read settings from and log in to [default: default]'
            cand --config 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it'
            cand -o 'How to print data: human-readable text (tables) or JSON'
            cand --output 'How to print data: human-readable text (tables) or JSON'
            cand --no-keyring 'Never use the OS keyring; keep the token in the 0600 file instead'
            cand --insecure 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)'
            cand -v 'Show each HTTP request and the full error chain'
            cand --verbose 'Show each HTTP request and the full error chain'
            cand -h 'Print help'
            cand --help 'Print help'
            cand ls 'List your activations, newest first'
            cand get 'Show one activation: status, result, logs, timings'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'faasctl;activations;ls'= {
            cand -f 'Only activations of this function'
            cand --function 'Only activations of this function'
            cand -n 'How many to show (1 to 1000)'
            cand --limit 'How many to show (1 to 1000)'
            cand --api-url 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]'
            cand --ca-cert 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)'
            cand --profile 'Profile in the config file to read settings from and log in to [default: default]'
            cand --config 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it'
            cand -o 'How to print data: human-readable text (tables) or JSON'
            cand --output 'How to print data: human-readable text (tables) or JSON'
            cand --no-keyring 'Never use the OS keyring; keep the token in the 0600 file instead'
            cand --insecure 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)'
            cand -v 'Show each HTTP request and the full error chain'
            cand --verbose 'Show each HTTP request and the full error chain'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'faasctl;activations;get'= {
            cand --api-url 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]'
            cand --ca-cert 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)'
            cand --profile 'Profile in the config file to read settings from and log in to [default: default]'
            cand --config 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it'
            cand -o 'How to print data: human-readable text (tables) or JSON'
            cand --output 'How to print data: human-readable text (tables) or JSON'
            cand --wait 'Wait until the activation has finished (the server answers as soon as it has)'
            cand --no-keyring 'Never use the OS keyring; keep the token in the 0600 file instead'
            cand --insecure 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)'
            cand -v 'Show each HTTP request and the full error chain'
            cand --verbose 'Show each HTTP request and the full error chain'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'faasctl;activations;help'= {
            cand ls 'List your activations, newest first'
            cand get 'Show one activation: status, result, logs, timings'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'faasctl;activations;help;ls'= {
        }
        &'faasctl;activations;help;get'= {
        }
        &'faasctl;activations;help;help'= {
        }
        &'faasctl;key'= {
            cand --api-url 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]'
            cand --ca-cert 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)'
            cand --profile 'Profile in the config file to read settings from and log in to [default: default]'
            cand --config 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it'
            cand -o 'How to print data: human-readable text (tables) or JSON'
            cand --output 'How to print data: human-readable text (tables) or JSON'
            cand --no-keyring 'Never use the OS keyring; keep the token in the 0600 file instead'
            cand --insecure 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)'
            cand -v 'Show each HTTP request and the full error chain'
            cand --verbose 'Show each HTTP request and the full error chain'
            cand -h 'Print help'
            cand --help 'Print help'
            cand create 'Create an API key and print its secret (shown only once)'
            cand ls 'List your API keys: created, expires, last used'
            cand rm 'Remove an API key: it stops working at once'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'faasctl;key;create'= {
            cand --expires 'How long the key lives, in days: `30d` or `30` (1 to 365)'
            cand --api-url 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]'
            cand --ca-cert 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)'
            cand --profile 'Profile in the config file to read settings from and log in to [default: default]'
            cand --config 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it'
            cand -o 'How to print data: human-readable text (tables) or JSON'
            cand --output 'How to print data: human-readable text (tables) or JSON'
            cand --no-keyring 'Never use the OS keyring; keep the token in the 0600 file instead'
            cand --insecure 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)'
            cand -v 'Show each HTTP request and the full error chain'
            cand --verbose 'Show each HTTP request and the full error chain'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'faasctl;key;ls'= {
            cand --api-url 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]'
            cand --ca-cert 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)'
            cand --profile 'Profile in the config file to read settings from and log in to [default: default]'
            cand --config 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it'
            cand -o 'How to print data: human-readable text (tables) or JSON'
            cand --output 'How to print data: human-readable text (tables) or JSON'
            cand --no-keyring 'Never use the OS keyring; keep the token in the 0600 file instead'
            cand --insecure 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)'
            cand -v 'Show each HTTP request and the full error chain'
            cand --verbose 'Show each HTTP request and the full error chain'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'faasctl;key;rm'= {
            cand --api-url 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]'
            cand --ca-cert 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)'
            cand --profile 'Profile in the config file to read settings from and log in to [default: default]'
            cand --config 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it'
            cand -o 'How to print data: human-readable text (tables) or JSON'
            cand --output 'How to print data: human-readable text (tables) or JSON'
            cand -y 'Do not ask for confirmation (required when not running in a terminal)'
            cand --yes 'Do not ask for confirmation (required when not running in a terminal)'
            cand --no-keyring 'Never use the OS keyring; keep the token in the 0600 file instead'
            cand --insecure 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)'
            cand -v 'Show each HTTP request and the full error chain'
            cand --verbose 'Show each HTTP request and the full error chain'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'faasctl;key;help'= {
            cand create 'Create an API key and print its secret (shown only once)'
            cand ls 'List your API keys: created, expires, last used'
            cand rm 'Remove an API key: it stops working at once'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'faasctl;key;help;create'= {
        }
        &'faasctl;key;help;ls'= {
        }
        &'faasctl;key;help;rm'= {
        }
        &'faasctl;key;help;help'= {
        }
        &'faasctl;logs'= {
            cand --api-url 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]'
            cand --ca-cert 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)'
            cand --profile 'Profile in the config file to read settings from and log in to [default: default]'
            cand --config 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it'
            cand -o 'How to print data: human-readable text (tables) or JSON'
            cand --output 'How to print data: human-readable text (tables) or JSON'
            cand --no-keyring 'Never use the OS keyring; keep the token in the 0600 file instead'
            cand --insecure 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)'
            cand -v 'Show each HTTP request and the full error chain'
            cand --verbose 'Show each HTTP request and the full error chain'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'faasctl;completions'= {
            cand --api-url 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]'
            cand --ca-cert 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)'
            cand --profile 'Profile in the config file to read settings from and log in to [default: default]'
            cand --config 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it'
            cand -o 'How to print data: human-readable text (tables) or JSON'
            cand --output 'How to print data: human-readable text (tables) or JSON'
            cand --no-keyring 'Never use the OS keyring; keep the token in the 0600 file instead'
            cand --insecure 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)'
            cand -v 'Show each HTTP request and the full error chain'
            cand --verbose 'Show each HTTP request and the full error chain'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'faasctl;help'= {
            cand register 'Create an account'
            cand login 'Log in and store the token (in the OS keyring, else a 0600 file)'
            cand logout 'Revoke the stored token on the server and forget it'
            cand passwd 'Change your password (your other sessions are logged out)'
            cand account 'Manage your account'
            cand whoami 'Show who is logged in and until when'
            cand fn 'Manage functions'
            cand secret 'Manage your secrets (functions read them as files)'
            cand invoke 'Run a function and print its result'
            cand activations 'Inspect past activations (kept 24 h)'
            cand key 'Manage API keys for CI (use one as FAAS_TOKEN)'
            cand logs 'Print the logs (stderr) of one activation'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'faasctl;help;register'= {
        }
        &'faasctl;help;login'= {
        }
        &'faasctl;help;logout'= {
        }
        &'faasctl;help;passwd'= {
        }
        &'faasctl;help;account'= {
            cand delete 'Delete your account with its functions and activation records'
        }
        &'faasctl;help;account;delete'= {
        }
        &'faasctl;help;whoami'= {
        }
        &'faasctl;help;fn'= {
            cand add 'Register a function, or update it if it exists'
            cand rm 'Delete a function'
            cand ls 'List your functions'
            cand get 'Show one function'
        }
        &'faasctl;help;fn;add'= {
        }
        &'faasctl;help;fn;rm'= {
        }
        &'faasctl;help;fn;ls'= {
        }
        &'faasctl;help;fn;get'= {
        }
        &'faasctl;help;secret'= {
            cand set 'Set a secret (from a hidden prompt, standard input, or --from-file)'
            cand ls 'List your secrets'' names (never their values)'
            cand rm 'Delete a secret'
        }
        &'faasctl;help;secret;set'= {
        }
        &'faasctl;help;secret;ls'= {
        }
        &'faasctl;help;secret;rm'= {
        }
        &'faasctl;help;invoke'= {
        }
        &'faasctl;help;activations'= {
            cand ls 'List your activations, newest first'
            cand get 'Show one activation: status, result, logs, timings'
        }
        &'faasctl;help;activations;ls'= {
        }
        &'faasctl;help;activations;get'= {
        }
        &'faasctl;help;key'= {
            cand create 'Create an API key and print its secret (shown only once)'
            cand ls 'List your API keys: created, expires, last used'
            cand rm 'Remove an API key: it stops working at once'
        }
        &'faasctl;help;key;create'= {
        }
        &'faasctl;help;key;ls'= {
        }
        &'faasctl;help;key;rm'= {
        }
        &'faasctl;help;logs'= {
        }
        &'faasctl;help;completions'= {
        }
        &'faasctl;help;help'= {
        }
    ]
    $completions[$command]
}
