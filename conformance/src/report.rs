//! The report: one row per case (name, pass or fail, detail), printed as a table.

use std::fmt;

#[derive(Debug, Clone)]
pub struct CaseResult {
    pub case: &'static str,
    pub passed: bool,
    /// What was checked, or why it failed.
    pub detail: String,
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub cases: Vec<CaseResult>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.cases.iter().all(|c| c.passed)
    }

    pub fn failed(&self) -> impl Iterator<Item = &CaseResult> {
        self.cases.iter().filter(|c| !c.passed)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .cases
            .iter()
            .map(|c| c.case.len())
            .max()
            .unwrap_or(4)
            .max(4);
        writeln!(f, "{:<width$}  {:<6}  DETAIL", "CASE", "RESULT")?;
        for case in &self.cases {
            let result = if case.passed { "pass" } else { "FAIL" };
            // One line per case: a multi-line detail would break the table.
            let detail = case.detail.replace('\n', " ");
            writeln!(f, "{:<width$}  {result:<6}  {detail}", case.case)?;
        }
        let failed = self.failed().count();
        writeln!(
            f,
            "{} cases: {} passed, {failed} failed",
            self.cases.len(),
            self.cases.len() - failed
        )
    }
}
