//! `FAAS_*` settings from the environment. An empty or blank variable counts as
//! unset; a malformed one is an error naming it, never a silent default.

use std::str::FromStr;

/// The variable's value, or `None` when it is unset or blank.
pub fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The variable parsed as `T`, or `None` when it is unset.
pub fn parse<T: FromStr>(name: &str) -> anyhow::Result<Option<T>> {
    match var(name) {
        None => Ok(None),
        Some(raw) => raw
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| anyhow::anyhow!("{name}={raw:?} is not a valid number")),
    }
}

/// A limit: unset or `0` means unlimited (`None`).
pub fn limit(name: &str) -> anyhow::Result<Option<u32>> {
    Ok(parse::<u32>(name)?.filter(|n| *n > 0))
}

/// A count that must be at least 1 when set.
pub fn positive(name: &str) -> anyhow::Result<Option<usize>> {
    match parse::<usize>(name) {
        Ok(Some(0)) | Err(_) => Err(anyhow::anyhow!(
            "{name}={:?} must be a positive number",
            var(name).unwrap_or_default()
        )),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    // Each test uses its own variable: tests run in parallel threads of one process.
    #[test]
    fn blank_is_unset_and_garbage_names_the_variable() {
        unsafe { std::env::set_var("FAAS_TEST_BLANK", "  ") };
        assert_eq!(super::var("FAAS_TEST_BLANK"), None);
        unsafe { std::env::set_var("FAAS_TEST_GARBAGE", "ten") };
        let error = super::parse::<u32>("FAAS_TEST_GARBAGE").unwrap_err();
        assert!(error.to_string().contains("FAAS_TEST_GARBAGE"), "{error}");
    }

    #[test]
    fn zero_limit_is_unlimited_but_zero_count_is_an_error() {
        unsafe { std::env::set_var("FAAS_TEST_ZERO", "0") };
        assert_eq!(super::limit("FAAS_TEST_ZERO").unwrap(), None);
        assert!(super::positive("FAAS_TEST_ZERO").is_err());
        assert_eq!(super::positive("FAAS_TEST_UNSET").unwrap(), None);
    }
}
