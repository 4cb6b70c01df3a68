//! Unit tests of `rootfs`.

use super::*;

fn tar_of(entries: &[(&str, tar::EntryType, &str)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, kind, target) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(*kind);
        header.set_mode(0o755);
        header.set_size(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(0);
        if kind.is_symlink() {
            header.set_link_name(target).unwrap();
        }
        if kind.is_character_special() {
            header.set_device_major(1).unwrap();
            header.set_device_minor(1).unwrap();
        }
        header.set_path(path).unwrap();
        header.set_cksum();
        builder.append(&header, io::empty()).unwrap();
    }
    builder.into_inner().unwrap()
}

#[test]
fn unpacking_never_writes_outside_the_root_nor_makes_devices() {
    let outside = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    let target = outside.path().to_str().unwrap();
    let archive = tar_of(&[
        ("bin/", tar::EntryType::Directory, ""),
        ("escape", tar::EntryType::Symlink, target),
        ("dev/mem", tar::EntryType::Char, ""),
    ]);
    unpack_tar(&archive[..], root.path()).unwrap();
    assert!(root.path().join("bin").is_dir());
    assert!(!root.path().join("dev/mem").exists(), "no device nodes");
    // A file through the symbolic link would land outside the root.
    let mut through = tar::Header::new_gnu();
    through.set_entry_type(tar::EntryType::Regular);
    through.set_size(0);
    through.set_mode(0o644);
    through.set_uid(0);
    through.set_gid(0);
    through.set_mtime(0);
    through.set_path("escape/owned").unwrap();
    through.set_cksum();
    let mut builder = tar::Builder::new(Vec::new());
    builder.append(&through, io::empty()).unwrap();
    let archive = builder.into_inner().unwrap();
    assert!(unpack_tar(&archive[..], root.path()).is_err());
    assert!(!outside.path().join("owned").exists());
}

#[test]
fn mount_points_replace_links_instead_of_following_them() {
    let outside = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), root.path().join("run")).unwrap();
    std::fs::write(root.path().join("tmp"), "a file").unwrap();
    dir_in_root(root.path(), "/run/secrets").unwrap();
    dir_in_root(root.path(), "/tmp").unwrap();
    file_in_root(root.path(), faas_init::INIT_PATH).unwrap();
    assert!(root.path().join("run/secrets").is_dir());
    assert!(
        !std::fs::symlink_metadata(root.path().join("run"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(std::fs::read_dir(outside.path()).unwrap().next().is_none());
    assert!(root.path().join("tmp").is_dir());
    assert!(root.path().join(".faas/init").is_file());
}

#[test]
fn entry_names_are_the_image_id_without_a_colon() {
    assert_eq!(entry_name("sha256:0abc").unwrap(), "sha256-0abc");
    assert!(entry_name("../etc").is_err());
    assert!(entry_name("").is_err());
}
