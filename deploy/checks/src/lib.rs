//! `faas-deploy-checks`: no code of its own. The package is its test suite
//! (`tests/suite/`), which checks the deployment files (`apisix/`, `kumori/`,
//! `deploy/`, the compose and stack files) against the code and runs the compose
//! stack; cargo wants a target beside it, so this file is that target.
