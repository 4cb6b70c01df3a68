//! Who a function runs as on the OCI backend: the image's `User` (`uid[:gid]`,
//! or names looked up in the image's own `/etc/passwd` and `/etc/group`) as the
//! uid, gid, supplementary groups and home `config.json` needs. The Docker
//! Engine does this lookup itself; an OCI runtime takes numbers only.
//!
//! The rules are runc's (which Docker uses): an empty `User` is root; a user
//! named or numbered in `/etc/passwd` gets that entry's group and home, and, when
//! no group is given, the groups of `/etc/group` that list its name; a name that
//! is not there is an error (Docker's "no matching entries in passwd file"). Read
//! once per image when its root file system is unpacked (`rootfs`), never from
//! the host: a `/etc` or `/etc/passwd` that is a symbolic link is refused, since
//! following it would read the host's file.

use std::path::Path;

use anyhow::{Context, bail};

/// The image's user, as numbers.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImageUser {
    pub uid: u32,
    pub gid: u32,
    pub additional_gids: Vec<u32>,
    /// The user's home from `/etc/passwd` (`/` when it has no entry), for `HOME`.
    pub home: String,
}

/// The image user `user` (an image config's `User`) of the root file system at
/// `rootfs`.
pub fn resolve(user: &str, rootfs: &Path) -> anyhow::Result<ImageUser> {
    let passwd = read_in_root(rootfs, "passwd")?;
    let group = read_in_root(rootfs, "group")?;
    resolve_with(user, passwd.as_deref(), group.as_deref())
        .with_context(|| format!("the image's user {user:?}"))
}

/// `user` resolved with the text of `/etc/passwd` and `/etc/group` (when the
/// image has them).
pub fn resolve_with(
    user: &str,
    passwd: Option<&str>,
    group: Option<&str>,
) -> anyhow::Result<ImageUser> {
    let (user_part, group_part) = match user.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (user, None),
    };
    let user_part = if user_part.is_empty() { "0" } else { user_part };
    let entries: Vec<Passwd> = passwd.map(parse_passwd).unwrap_or_default();
    let entry = match user_part.parse::<u32>() {
        Ok(uid) => entries.iter().find(|e| e.uid == uid),
        Err(_) => Some(
            entries
                .iter()
                .find(|e| e.name == user_part)
                .with_context(|| {
                    format!("unable to find user {user_part}: no matching entries in passwd file")
                })?,
        ),
    };
    let uid = match entry {
        Some(entry) => entry.uid,
        None => user_part.parse()?,
    };
    let groups: Vec<Group> = group.map(parse_group).unwrap_or_default();
    let mut resolved = ImageUser {
        uid,
        gid: entry.map_or(0, |e| e.gid),
        additional_gids: Vec::new(),
        home: entry.map_or_else(|| "/".to_owned(), |e| e.home.clone()),
    };
    match group_part {
        Some("") => bail!("an empty group after ':'"),
        Some(g) => {
            resolved.gid = match g.parse::<u32>() {
                Ok(gid) => gid,
                Err(_) => groups
                    .iter()
                    .find(|e| e.name == g)
                    .map(|e| e.gid)
                    .with_context(|| {
                        format!("unable to find group {g}: no matching entries in group file")
                    })?,
            }
        }
        None => {
            if let Some(entry) = entry {
                resolved.additional_gids = groups
                    .iter()
                    .filter(|g| g.members.contains(&entry.name))
                    .map(|g| g.gid)
                    .collect();
            }
        }
    }
    Ok(resolved)
}

struct Passwd {
    name: String,
    uid: u32,
    gid: u32,
    home: String,
}

struct Group {
    name: String,
    gid: u32,
    members: Vec<String>,
}

/// The well-formed entries of `/etc/passwd` (`name:x:uid:gid:gecos:home:shell`).
fn parse_passwd(text: &str) -> Vec<Passwd> {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split(':').collect();
            Some(Passwd {
                name: f.first()?.to_string(),
                uid: f.get(2)?.parse().ok()?,
                gid: f.get(3)?.parse().ok()?,
                home: f
                    .get(5)
                    .filter(|h| !h.is_empty())
                    .unwrap_or(&"/")
                    .to_string(),
            })
        })
        .collect()
}

/// The well-formed entries of `/etc/group` (`name:x:gid:member,member`).
fn parse_group(text: &str) -> Vec<Group> {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split(':').collect();
            Some(Group {
                name: f.first()?.to_string(),
                gid: f.get(2)?.parse().ok()?,
                members: f
                    .get(3)
                    .map(|m| {
                        m.split(',')
                            .filter(|m| !m.is_empty())
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// `rootfs/etc/<name>`, if the image has it as a regular file; an error if
/// `/etc` or the file is a symbolic link (it could point at the host's).
fn read_in_root(rootfs: &Path, name: &str) -> anyhow::Result<Option<String>> {
    for path in [rootfs.join("etc"), rootfs.join("etc").join(name)] {
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => bail!(
                "{} is a symbolic link: images whose /etc/{name} is one cannot name their user on the OCI backend; give a numeric uid:gid",
                path.display()
            ),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }
    let path = rootfs.join("etc").join(name);
    Ok(Some(
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
    const GROUP: &str = "root:x:0:\nalice:x:1000:\nstaff:x:50:alice,bob\nnogroup:x:65534:\n";

    fn user(uid: u32, gid: u32, additional_gids: &[u32], home: &str) -> ImageUser {
        ImageUser {
            uid,
            gid,
            additional_gids: additional_gids.to_vec(),
            home: home.into(),
        }
    }

    #[test]
    fn names_are_looked_up_in_the_image_s_files() {
        let resolve = |u| resolve_with(u, Some(PASSWD), Some(GROUP)).unwrap();
        assert_eq!(resolve(""), user(0, 0, &[], "/root"), "no User is root");
        assert_eq!(resolve("alice"), user(1000, 1000, &[50], "/home/alice"));
        assert_eq!(
            resolve("alice:nogroup"),
            user(1000, 65534, &[], "/home/alice")
        );
        assert_eq!(resolve("1000"), user(1000, 1000, &[50], "/home/alice"));
        assert_eq!(resolve("nobody:50"), user(65534, 50, &[], "/nonexistent"));
    }

    #[test]
    fn numbers_need_no_files_and_unknown_names_are_errors() {
        assert_eq!(
            resolve_with("4242:4343", None, None).unwrap(),
            user(4242, 4343, &[], "/")
        );
        assert_eq!(
            resolve_with("4242", Some(PASSWD), None).unwrap(),
            user(4242, 0, &[], "/")
        );
        let missing = resolve_with("mallory", Some(PASSWD), Some(GROUP)).unwrap_err();
        assert!(
            missing
                .to_string()
                .contains("no matching entries in passwd file"),
            "{missing}"
        );
        assert!(resolve_with("alice:wheel", Some(PASSWD), Some(GROUP)).is_err());
        assert!(resolve_with("alice", None, None).is_err());
    }

    #[test]
    fn a_symlinked_passwd_is_not_followed_to_the_host() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("etc")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", root.path().join("etc/passwd")).unwrap();
        let refused = resolve("root", root.path()).unwrap_err();
        assert!(
            format!("{refused:#}").contains("symbolic link"),
            "{refused:#}"
        );
        // Without /etc at all, only numbers work.
        let bare = tempfile::tempdir().unwrap();
        assert_eq!(resolve("7:8", bare.path()).unwrap(), user(7, 8, &[], "/"));
    }
}
