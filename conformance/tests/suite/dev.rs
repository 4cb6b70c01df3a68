//! The conformance suite against `faas-server dev` (the compose run is part of
//! deploy/checks/tests/suite/compose.rs): every case must pass.

use faas_conformance::{Images, Options};
use faas_testkit::Platform;

#[tokio::test(flavor = "multi_thread")]
async fn faas_server_dev_conforms() {
    let p = Platform::dev().await;
    let options = Options {
        api_url: p.url().to_owned(),
        ca_cert: Some(p.ca_cert().to_owned()),
        images: Images::new("faas-examples/", "latest"),
    };
    let report = faas_conformance::run(&options).await.unwrap();
    println!("{report}");
    assert!(report.passed(), "failed cases:\n{report}");
    p.stop().await;
}
