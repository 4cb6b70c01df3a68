//! The tests of the conformance suite (`faas-conformance`): it passes against
//! `faas-server dev` (the compose run is faas-deploy-checks' `compose`). One test
//! binary, a module per file, as in every crate of the workspace.

mod dev;
