
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'faasctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'faasctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'faasctl' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file to read settings from and log in to [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--no-keyring', '--no-keyring', [CompletionResultType]::ParameterName, 'Never use the OS keyring; keep the token in the 0600 file instead')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('register', 'register', [CompletionResultType]::ParameterValue, 'Create an account')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in and store the token (in the OS keyring, else a 0600 file)')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Revoke the stored token on the server and forget it')
            [CompletionResult]::new('passwd', 'passwd', [CompletionResultType]::ParameterValue, 'Change your password (your other sessions are logged out)')
            [CompletionResult]::new('account', 'account', [CompletionResultType]::ParameterValue, 'Manage your account')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show who is logged in and until when')
            [CompletionResult]::new('fn', 'fn', [CompletionResultType]::ParameterValue, 'Manage functions')
            [CompletionResult]::new('secret', 'secret', [CompletionResultType]::ParameterValue, 'Manage your secrets (functions read them as files)')
            [CompletionResult]::new('invoke', 'invoke', [CompletionResultType]::ParameterValue, 'Run a function and print its result')
            [CompletionResult]::new('activations', 'activations', [CompletionResultType]::ParameterValue, 'Inspect past activations (kept 24 h)')
            [CompletionResult]::new('key', 'key', [CompletionResultType]::ParameterValue, 'Manage API keys for CI (use one as FAAS_TOKEN)')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Print the logs (stderr) of one activation')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'faasctl;register' {
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username: 3 to 32 characters a-z, 0-9, ''_'' or ''-'', starting with a letter (prompted for when omitted on a terminal)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username: 3 to 32 characters a-z, 0-9, ''_'' or ''-'', starting with a letter (prompted for when omitted on a terminal)')
            [CompletionResult]::new('--invite', '--invite', [CompletionResultType]::ParameterName, 'The operator''s single-use invite code, where registration is by invitation')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file to read settings from and log in to [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password from the first line of standard input instead of prompting')
            [CompletionResult]::new('--no-keyring', '--no-keyring', [CompletionResultType]::ParameterName, 'Never use the OS keyring; keep the token in the 0600 file instead')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'faasctl;login' {
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username [default: the profile''s, or prompted for on a terminal]')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Username [default: the profile''s, or prompted for on a terminal]')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file to read settings from and log in to [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password from the first line of standard input instead of prompting')
            [CompletionResult]::new('--no-keyring', '--no-keyring', [CompletionResultType]::ParameterName, 'Never use the OS keyring; keep the token in the 0600 file instead')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'faasctl;logout' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file to read settings from and log in to [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--no-keyring', '--no-keyring', [CompletionResultType]::ParameterName, 'Never use the OS keyring; keep the token in the 0600 file instead')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'faasctl;passwd' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file to read settings from and log in to [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the current password, then the new one, from the first two lines of standard input instead of prompting')
            [CompletionResult]::new('--no-keyring', '--no-keyring', [CompletionResultType]::ParameterName, 'Never use the OS keyring; keep the token in the 0600 file instead')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'faasctl;account' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file to read settings from and log in to [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--no-keyring', '--no-keyring', [CompletionResultType]::ParameterName, 'Never use the OS keyring; keep the token in the 0600 file instead')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete your account with its functions and activation records')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'faasctl;account;delete' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file to read settings from and log in to [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when not running in a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when not running in a terminal)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password from the first line of standard input instead of prompting')
            [CompletionResult]::new('--no-keyring', '--no-keyring', [CompletionResultType]::ParameterName, 'Never use the OS keyring; keep the token in the 0600 file instead')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'faasctl;account;help' {
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete your account with its functions and activation records')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'faasctl;account;help;delete' {
            break
        }
        'faasctl;account;help;help' {
            break
        }
        'faasctl;whoami' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file to read settings from and log in to [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--no-keyring', '--no-keyring', [CompletionResultType]::ParameterName, 'Never use the OS keyring; keep the token in the 0600 file instead')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'faasctl;fn' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file to read settings from and log in to [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--no-keyring', '--no-keyring', [CompletionResultType]::ParameterName, 'Never use the OS keyring; keep the token in the 0600 file instead')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Register a function, or update it if it exists')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete a function')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List your functions')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Show one function')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'faasctl;fn;add' {
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'Container image to run, e.g. faas-examples/reverse:latest')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time limit per invocation, e.g. 500ms, 30s, 2m (server default 30s, max 5m)')
            [CompletionResult]::new('--memory', '--memory', [CompletionResultType]::ParameterName, 'Memory limit, e.g. 128Mi, 1Gi (server default 128Mi, max 2Gi)')
            [CompletionResult]::new('--param-mode', '--param-mode', [CompletionResultType]::ParameterName, 'How the parameter reaches the function: as its argument, on stdin, or in $FAAS_PARAM [default: argv]')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'A secret of yours the function reads from /run/secrets/NAME (repeatable; set it with `faasctl secret set NAME`)')
            [CompletionResult]::new('--max-concurrency', '--max-concurrency', [CompletionResultType]::ParameterName, 'Most activations of this function queued or running at once; more are refused (429) until one ends [default: no limit of its own]')
            [CompletionResult]::new('--prewarm', '--prewarm', [CompletionResultType]::ParameterName, 'Containers each worker keeps started for this function, so an invocation skips the container start: 0 to 16 (server default 0)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file to read settings from and log in to [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--network', '--network', [CompletionResultType]::ParameterName, 'Give the function network access (it has none by default)')
            [CompletionResult]::new('--no-keyring', '--no-keyring', [CompletionResultType]::ParameterName, 'Never use the OS keyring; keep the token in the 0600 file instead')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'faasctl;fn;rm' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file to read settings from and log in to [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when not running in a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when not running in a terminal)')
            [CompletionResult]::new('--no-keyring', '--no-keyring', [CompletionResultType]::ParameterName, 'Never use the OS keyring; keep the token in the 0600 file instead')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'faasctl;fn;ls' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file to read settings from and log in to [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--no-keyring', '--no-keyring', [CompletionResultType]::ParameterName, 'Never use the OS keyring; keep the token in the 0600 file instead')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'faasctl;fn;get' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file to read settings from and log in to [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--no-keyring', '--no-keyring', [CompletionResultType]::ParameterName, 'Never use the OS keyring; keep the token in the 0600 file instead')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'faasctl;fn;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Register a function, or update it if it exists')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete a function')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List your functions')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Show one function')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'faasctl;fn;help;add' {
            break
        }
        'faasctl;fn;help;rm' {
            break
        }
        'faasctl;fn;help;ls' {
            break
        }
        'faasctl;fn;help;get' {
            break
        }
        'faasctl;fn;help;help' {
            break
        }
        'faasctl;secret' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file to read settings from and log in to [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--no-keyring', '--no-keyring', [CompletionResultType]::ParameterName, 'Never use the OS keyring; keep the token in the 0600 file instead')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set a secret (from a hidden prompt, standard input, or --from-file)')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List your secrets'' names (never their values)')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete a secret')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'faasctl;secret;set' {
            [CompletionResult]::new('--from-file', '--from-file', [CompletionResultType]::ParameterName, 'Read the value from this file, bytes exact [default: a hidden prompt on a terminal, else all of standard input, bytes exact]')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file to read settings from and log in to [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--no-keyring', '--no-keyring', [CompletionResultType]::ParameterName, 'Never use the OS keyring; keep the token in the 0600 file instead')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'faasctl;secret;ls' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file to read settings from and log in to [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--no-keyring', '--no-keyring', [CompletionResultType]::ParameterName, 'Never use the OS keyring; keep the token in the 0600 file instead')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'faasctl;secret;rm' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file to read settings from and log in to [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when not running in a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when not running in a terminal)')
            [CompletionResult]::new('--no-keyring', '--no-keyring', [CompletionResultType]::ParameterName, 'Never use the OS keyring; keep the token in the 0600 file instead')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'faasctl;secret;help' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set a secret (from a hidden prompt, standard input, or --from-file)')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List your secrets'' names (never their values)')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete a secret')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'faasctl;secret;help;set' {
            break
        }
        'faasctl;secret;help;ls' {
            break
        }
        'faasctl;secret;help;rm' {
            break
        }
        'faasctl;secret;help;help' {
            break
        }
        'faasctl;invoke' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Read the parameter from this file')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Read the parameter from this file')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file to read settings from and log in to [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--logs', '--logs', [CompletionResultType]::ParameterName, 'Also print the function''s stderr (its logs) to stderr; always done when it fails')
            [CompletionResult]::new('--async', '--async', [CompletionResultType]::ParameterName, 'Do not wait: print the activation id at once and fetch the outcome later with `faasctl activations get ID` or `faasctl logs ID`')
            [CompletionResult]::new('--no-keyring', '--no-keyring', [CompletionResultType]::ParameterName, 'Never use the OS keyring; keep the token in the 0600 file instead')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'faasctl;activations' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file to read settings from and log in to [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--no-keyring', '--no-keyring', [CompletionResultType]::ParameterName, 'Never use the OS keyring; keep the token in the 0600 file instead')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List your activations, newest first')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Show one activation: status, result, logs, timings')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'faasctl;activations;ls' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Only activations of this function')
            [CompletionResult]::new('--function', '--function', [CompletionResultType]::ParameterName, 'Only activations of this function')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'How many to show (1 to 1000)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'How many to show (1 to 1000)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file to read settings from and log in to [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--no-keyring', '--no-keyring', [CompletionResultType]::ParameterName, 'Never use the OS keyring; keep the token in the 0600 file instead')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'faasctl;activations;get' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file to read settings from and log in to [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait until the activation has finished (the server answers as soon as it has)')
            [CompletionResult]::new('--no-keyring', '--no-keyring', [CompletionResultType]::ParameterName, 'Never use the OS keyring; keep the token in the 0600 file instead')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'faasctl;activations;help' {
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List your activations, newest first')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Show one activation: status, result, logs, timings')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'faasctl;activations;help;ls' {
            break
        }
        'faasctl;activations;help;get' {
            break
        }
        'faasctl;activations;help;help' {
            break
        }
        'faasctl;key' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file to read settings from and log in to [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--no-keyring', '--no-keyring', [CompletionResultType]::ParameterName, 'Never use the OS keyring; keep the token in the 0600 file instead')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create an API key and print its secret (shown only once)')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List your API keys: created, expires, last used')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Remove an API key: it stops working at once')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'faasctl;key;create' {
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, 'How long the key lives, in days: `30d` or `30` (1 to 365)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file to read settings from and log in to [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--no-keyring', '--no-keyring', [CompletionResultType]::ParameterName, 'Never use the OS keyring; keep the token in the 0600 file instead')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'faasctl;key;ls' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file to read settings from and log in to [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--no-keyring', '--no-keyring', [CompletionResultType]::ParameterName, 'Never use the OS keyring; keep the token in the 0600 file instead')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'faasctl;key;rm' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file to read settings from and log in to [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when not running in a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when not running in a terminal)')
            [CompletionResult]::new('--no-keyring', '--no-keyring', [CompletionResultType]::ParameterName, 'Never use the OS keyring; keep the token in the 0600 file instead')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'faasctl;key;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create an API key and print its secret (shown only once)')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List your API keys: created, expires, last used')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Remove an API key: it stops working at once')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'faasctl;key;help;create' {
            break
        }
        'faasctl;key;help;ls' {
            break
        }
        'faasctl;key;help;rm' {
            break
        }
        'faasctl;key;help;help' {
            break
        }
        'faasctl;logs' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file to read settings from and log in to [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--no-keyring', '--no-keyring', [CompletionResultType]::ParameterName, 'Never use the OS keyring; keep the token in the 0600 file instead')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'faasctl;completions' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM CA certificate to trust in addition to the system roots (`faas-server dev` writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile in the config file to read settings from and log in to [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print data: human-readable text (tables) or JSON')
            [CompletionResult]::new('--no-keyring', '--no-keyring', [CompletionResultType]::ParameterName, 'Never use the OS keyring; keep the token in the 0600 file instead')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (warns; prefer --ca-cert)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show each HTTP request and the full error chain')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'faasctl;help' {
            [CompletionResult]::new('register', 'register', [CompletionResultType]::ParameterValue, 'Create an account')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in and store the token (in the OS keyring, else a 0600 file)')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Revoke the stored token on the server and forget it')
            [CompletionResult]::new('passwd', 'passwd', [CompletionResultType]::ParameterValue, 'Change your password (your other sessions are logged out)')
            [CompletionResult]::new('account', 'account', [CompletionResultType]::ParameterValue, 'Manage your account')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show who is logged in and until when')
            [CompletionResult]::new('fn', 'fn', [CompletionResultType]::ParameterValue, 'Manage functions')
            [CompletionResult]::new('secret', 'secret', [CompletionResultType]::ParameterValue, 'Manage your secrets (functions read them as files)')
            [CompletionResult]::new('invoke', 'invoke', [CompletionResultType]::ParameterValue, 'Run a function and print its result')
            [CompletionResult]::new('activations', 'activations', [CompletionResultType]::ParameterValue, 'Inspect past activations (kept 24 h)')
            [CompletionResult]::new('key', 'key', [CompletionResultType]::ParameterValue, 'Manage API keys for CI (use one as FAAS_TOKEN)')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Print the logs (stderr) of one activation')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'faasctl;help;register' {
            break
        }
        'faasctl;help;login' {
            break
        }
        'faasctl;help;logout' {
            break
        }
        'faasctl;help;passwd' {
            break
        }
        'faasctl;help;account' {
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete your account with its functions and activation records')
            break
        }
        'faasctl;help;account;delete' {
            break
        }
        'faasctl;help;whoami' {
            break
        }
        'faasctl;help;fn' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Register a function, or update it if it exists')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete a function')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List your functions')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Show one function')
            break
        }
        'faasctl;help;fn;add' {
            break
        }
        'faasctl;help;fn;rm' {
            break
        }
        'faasctl;help;fn;ls' {
            break
        }
        'faasctl;help;fn;get' {
            break
        }
        'faasctl;help;secret' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set a secret (from a hidden prompt, standard input, or --from-file)')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List your secrets'' names (never their values)')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete a secret')
            break
        }
        'faasctl;help;secret;set' {
            break
        }
        'faasctl;help;secret;ls' {
            break
        }
        'faasctl;help;secret;rm' {
            break
        }
        'faasctl;help;invoke' {
            break
        }
        'faasctl;help;activations' {
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List your activations, newest first')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Show one activation: status, result, logs, timings')
            break
        }
        'faasctl;help;activations;ls' {
            break
        }
        'faasctl;help;activations;get' {
            break
        }
        'faasctl;help;key' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create an API key and print its secret (shown only once)')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List your API keys: created, expires, last used')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Remove an API key: it stops working at once')
            break
        }
        'faasctl;help;key;create' {
            break
        }
        'faasctl;help;key;ls' {
            break
        }
        'faasctl;help;key;rm' {
            break
        }
        'faasctl;help;logs' {
            break
        }
        'faasctl;help;completions' {
            break
        }
        'faasctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
