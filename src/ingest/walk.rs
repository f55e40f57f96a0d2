//! Turning the command line's paths into inputs: folders are walked
//! recursively (sorted; hidden files, docs and databases skipped, see
//! [`skipped_in_folders`]) and `-` stands for stdin.
//!
//! Each file is read once, at the first path that names it: files are told
//! apart by (device, inode), across all the arguments, so `hunt scan dir
//! dir/a.log` and a symlink to a file already seen add nothing. A folder
//! that is already in the chain of folders being walked (`self -> .`,
//! `up -> ..`) is a loop: it is reported and skipped, so a walk never goes
//! round in circles; a folder reached again by another route (a symlink to
//! a sibling) is skipped silently, as all its files are already taken.
//! Entries that cannot be read (a dangling symlink, a `read_dir` error) are
//! reported with their path and the walk goes on. What a named argument
//! cannot give is an error ([`Expanded::errors`]); what goes wrong inside a
//! walked folder is a warning ([`Expanded::warnings`]).

use super::read::Input;
use std::collections::HashSet;
use std::fs::{self, Metadata};
use std::io;
use std::path::{Path, PathBuf};

/// The inputs named by a command line, and what could not be read.
#[derive(Debug, Default)]
pub struct Expanded {
    pub inputs: Vec<Input>,
    /// Named arguments that cannot be read (an unreadable input: exit 2).
    pub errors: Vec<(PathBuf, io::Error)>,
    /// Entries inside walked folders that were skipped: loops and entries
    /// that cannot be read. Reported, but the run goes on.
    pub warnings: Vec<(PathBuf, io::Error)>,
}

/// What tells two files apart however they are named.
#[cfg(unix)]
type FileKey = (u64, u64);
#[cfg(not(unix))]
type FileKey = PathBuf;

#[cfg(unix)]
fn key(_path: &Path, meta: &Metadata) -> Option<FileKey> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn key(path: &Path, _meta: &Metadata) -> Option<FileKey> {
    fs::canonicalize(path).ok()
}

/// Expands `args` (see the module comment). When `following`, a named path
/// that does not exist yet is kept as an input, to be read once it is
/// created (tail -F), and inputs keep the command line's order.
pub fn expand_paths(args: &[PathBuf], following: bool) -> Expanded {
    let mut w = Walker::default();
    for a in args {
        if a.as_os_str() == "-" {
            w.out.inputs.push(Input::Stdin);
            continue;
        }
        // A live source named by URL (`kafka://…`) is no path to stat.
        if a.to_str().is_some_and(super::kafka::is_kafka) {
            w.out.inputs.push(Input::Path(a.clone()));
            continue;
        }
        if let Some(live) = a.to_str().and_then(super::live::LiveSource::parse) {
            match live {
                Ok(l) if following => w.out.inputs.push(Input::Live(l)),
                Ok(l) => w.out.errors.push((
                    a.clone(),
                    io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!("{} is a live source: read it with -f", l.display()),
                    ),
                )),
                Err(e) => w
                    .out
                    .errors
                    .push((a.clone(), io::Error::new(io::ErrorKind::InvalidInput, e))),
            }
            continue;
        }
        match fs::metadata(a) {
            Ok(m) if m.is_dir() => {
                if w.enter(a, &m) {
                    let mut chain = Vec::new();
                    w.walk(a, key(a, &m), &mut chain);
                }
            }
            Ok(m) => w.file(a, &m),
            Err(e) if following && e.kind() == io::ErrorKind::NotFound => {
                w.out.inputs.push(Input::Path(a.clone()));
            }
            Err(e) => w.out.errors.push((a.clone(), e)),
        }
    }
    let mut out = w.out;
    if following {
        // Keep the command line's order (file ids are positions).
        let rank = |i: &Input| match i {
            Input::Stdin => args.iter().position(|a| a.as_os_str() == "-"),
            Input::Path(p) => args.iter().position(|a| p.starts_with(a)),
            Input::Live(l) => args
                .iter()
                .position(|a| a.to_str() == Some(l.display().as_str()))
                .or_else(|| {
                    args.iter().position(|a| {
                        a.to_str()
                            .and_then(super::live::LiveSource::parse)
                            .is_some_and(|r| r.as_ref() == Ok(l))
                    })
                }),
        };
        out.inputs.sort_by_key(|i| rank(i).unwrap_or(usize::MAX));
    }
    out
}

/// Expands folders recursively and `-` to stdin; paths that cannot be read
/// (named or inside a folder) are returned with their error.
pub fn expand(args: &[PathBuf]) -> (Vec<Input>, Vec<(PathBuf, io::Error)>) {
    let mut e = expand_paths(args, false);
    e.errors.append(&mut e.warnings);
    (e.inputs, e.errors)
}

/// Like [`expand`], for following (`-f`): a path that does not exist yet is
/// kept as an input, to be read once it is created (tail -F).
pub fn expand_following(args: &[PathBuf]) -> (Vec<Input>, Vec<(PathBuf, io::Error)>) {
    let mut e = expand_paths(args, true);
    e.errors.append(&mut e.warnings);
    (e.inputs, e.errors)
}

#[derive(Default)]
struct Walker {
    out: Expanded,
    /// Files taken so far.
    files: HashSet<FileKey>,
    /// Folders walked (or being walked) so far.
    folders: HashSet<FileKey>,
}

impl Walker {
    /// Takes a file unless it was taken already under another name.
    fn file(&mut self, path: &Path, meta: &Metadata) {
        if key(path, meta).is_some_and(|k| !self.files.insert(k)) {
            return;
        }
        self.out.inputs.push(Input::Path(path.to_path_buf()));
    }

    /// True when the folder has not been walked yet (and marks it walked).
    fn enter(&mut self, path: &Path, meta: &Metadata) -> bool {
        key(path, meta).is_none_or(|k| self.folders.insert(k))
    }

    /// Walks `dir`, whose key is `me`; `chain` holds the keys of the folders
    /// it is inside.
    fn walk(&mut self, dir: &Path, me: Option<FileKey>, chain: &mut Vec<FileKey>) {
        let entries = match fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => {
                // A named folder cannot be read: an unreadable input.
                if chain.is_empty() {
                    self.out.errors.push((dir.to_path_buf(), e));
                } else {
                    self.out.warnings.push((dir.to_path_buf(), e));
                }
                return;
            }
        };
        let mut paths = Vec::new();
        for entry in entries {
            match entry {
                Ok(e) => paths.push(e.path()),
                Err(e) => self.out.warnings.push((dir.to_path_buf(), e)),
            }
        }
        paths.sort();
        let pushed = match me {
            Some(k) => {
                chain.push(k);
                true
            }
            None => false,
        };
        for p in paths {
            if skipped_in_folders(&p) {
                continue;
            }
            match fs::metadata(&p) {
                Ok(m) if m.is_dir() => {
                    let k = key(&p, &m);
                    if k.as_ref().is_some_and(|k| chain.contains(k)) {
                        let e = io::Error::other(
                            "a symbolic link loop (a folder it is inside); skipped",
                        );
                        self.out.warnings.push((p, e));
                    } else if self.enter(&p, &m) {
                        self.walk(&p, k, chain);
                    }
                }
                Ok(m) if m.is_file() => self.file(&p, &m),
                Ok(_) => {}
                Err(e) => self.out.warnings.push((p, e)),
            }
        }
        if pushed {
            chain.pop();
        }
    }
}

/// Files a folder walk passes over: hidden files, documentation, MaxMind
/// databases and Sigma rules that sit beside logs (README, *.md, LICENSE,
/// *.mmdb, *.yml, *.yaml: no log format hunt reads is YAML). Named
/// on the command line, they are read like anything else.
fn skipped_in_folders(p: &Path) -> bool {
    let Some(name) = p.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    name.starts_with('.')
        || lower.starts_with("readme")
        || lower.starts_with("license")
        || lower.ends_with(".md")
        || lower.ends_with(".mmdb")
        || lower.ends_with(".yml")
        || lower.ends_with(".yaml")
}
