//! Functions in KV `faas_functions` (`<owner>.<name>` → `FunctionInfo`): read,
//! create or replace without losing a concurrent writer's change, delete, list a
//! page, and count for the quota.

use async_nats::jetstream::kv;
use faas_shared::nats::{FUNCTIONS_BUCKET, function_key};
use faas_shared::{ErrorCode, FunctionInfo};

use super::handle::{Store, encode, get_json, owner_keys};
use crate::error::AppError;

impl Store {
    pub async fn function(
        &self,
        owner: &str,
        name: &str,
    ) -> Result<Option<FunctionInfo>, AppError> {
        get_json(
            &self.functions,
            &function_key(owner, name),
            "reading the function",
        )
        .await
    }

    /// Creates or replaces a function. Returns whether it was created. `created_at`
    /// of a replaced function is kept; concurrent writers cannot lose an update
    /// because the write is conditional on the revision that was read.
    pub async fn put_function(
        &self,
        owner: &str,
        mut info: FunctionInfo,
    ) -> Result<(bool, FunctionInfo), AppError> {
        let key = function_key(owner, &info.name);
        for _ in 0..5 {
            let existing = self
                .functions
                .entry(&key)
                .await
                .map_err(|e| AppError::backend("reading the function", e))?
                .filter(|entry| entry.operation == kv::Operation::Put);
            let outcome = match &existing {
                Some(entry) => {
                    if let Ok(old) = serde_json::from_slice::<FunctionInfo>(&entry.value) {
                        info.created_at = old.created_at;
                    }
                    let value = encode(&info)?;
                    self.functions
                        .update(&key, value, entry.revision)
                        .await
                        .map(|_| false)
                        .map_err(|e| e.to_string())
                }
                None => {
                    let value = encode(&info)?;
                    match self.functions.create(&key, value).await {
                        Ok(_) => Ok(true),
                        Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => {
                            Err("created concurrently".into())
                        }
                        Err(e) => return Err(AppError::backend("storing the function", e)),
                    }
                }
            };
            match outcome {
                Ok(created) => return Ok((created, info)),
                Err(conflict) => {
                    tracing::debug!(%key, %conflict, "function changed concurrently; retrying")
                }
            }
        }
        Err(AppError::new(
            ErrorCode::BackendUnavailable,
            "the function is being changed concurrently: try again",
        ))
    }

    /// Deletes a function; `false` if there was none.
    pub async fn delete_function(&self, owner: &str, name: &str) -> Result<bool, AppError> {
        if self.function(owner, name).await?.is_none() {
            return Ok(false);
        }
        self.functions
            .purge(function_key(owner, name))
            .await
            .map_err(|e| AppError::backend("deleting the function", e))?;
        Ok(true)
    }

    /// Up to `limit` of the owner's functions with names after `after`, sorted by
    /// name, and whether more keys follow (the next page may still turn out empty).
    pub async fn functions_page(
        &self,
        owner: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<FunctionInfo>, bool), AppError> {
        let after = after.map(|name| function_key(owner, name));
        let keys = owner_keys(&self.functions, FUNCTIONS_BUCKET, owner).await?;
        let mut keys = keys
            .into_iter()
            .filter(|key| after.as_ref().is_none_or(|after| key > after));
        let mut functions = Vec::new();
        for key in keys.by_ref() {
            if let Some(function) = get_json(&self.functions, &key, "listing functions").await? {
                functions.push(function);
                if functions.len() == limit {
                    break;
                }
            }
        }
        Ok((functions, keys.next().is_some()))
    }
}
