//! The tests of the benchmark harness (`faas-bench`): smoke runs with tiny rounds.
//! One test binary, a module per file, as in every crate of the workspace.

mod smoke;
