//! Finding and opening the databases: the paths given (`--geoip`,
//! `[geoip] paths`) or the usual locations, one human line per file opened
//! or skipped. A corrupt, truncated or foreign file is reported and left
//! out; nothing here fails the run. The database kind (City, Country, ASN)
//! comes from `database_type`, or from the fields of the first record.

use super::{AnyReader, Db, DbInfo, DbKind, GeoIp};
use maxminddb::{MaxMindDbError, Reader};
use serde::de::IgnoredAny;
use serde::Deserialize;
use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The usual database locations: `/usr/share/GeoIP`, `/var/lib/GeoIP`, and
/// `GeoIP` and `hunt` under the XDG data directory when there is one.
pub fn usual_locations(data_home: Option<&Path>) -> Vec<PathBuf> {
    let mut v = vec![
        PathBuf::from("/usr/share/GeoIP"),
        PathBuf::from("/var/lib/GeoIP"),
    ];
    if let Some(d) = data_home {
        v.push(d.join("GeoIP"));
        v.push(d.join("hunt"));
    }
    v
}

/// `$XDG_DATA_HOME` (or `~/.local/share`).
fn data_home() -> Option<PathBuf> {
    use etcetera::BaseStrategy;
    etcetera::choose_base_strategy().ok().map(|b| b.data_dir())
}

/// Opens every database named by `paths` (files or folders), or, when
/// `paths` is empty, every one in [`usual_locations`]. Returns `None`
/// when nothing could be opened, and one human line per database opened,
/// per file skipped, and per named path that could not be used.
pub fn open(paths: &[PathBuf]) -> (Option<GeoIp>, Vec<String>) {
    let (geo, notes) = open_noted(paths);
    (geo, notes.into_iter().map(GeoNote::into_text).collect())
}

/// One line about opening the databases, typed by what a caller may do
/// with it: [`GeoNote::NoDatabase`] is the normal case on most machines
/// (said only when asked), everything else is always worth saying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GeoNote {
    /// No database anywhere that was looked: the logs' own geography only.
    NoDatabase(String),
    /// A database opened, a file skipped, a named path that could not be used.
    Told(String),
}

impl GeoNote {
    /// The neutralised line.
    pub fn text(&self) -> &str {
        match self {
            GeoNote::NoDatabase(t) | GeoNote::Told(t) => t,
        }
    }

    pub fn into_text(self) -> String {
        match self {
            GeoNote::NoDatabase(t) | GeoNote::Told(t) => t,
        }
    }

    /// True for what is said only under `-v` (no database is the usual case).
    pub fn is_routine(&self) -> bool {
        matches!(self, GeoNote::NoDatabase(_))
    }
}

impl std::fmt::Display for GeoNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text())
    }
}

/// [`open`], with the lines typed (see [`GeoNote`]).
pub fn open_noted(paths: &[PathBuf]) -> (Option<GeoIp>, Vec<GeoNote>) {
    let explicit = !paths.is_empty();
    let roots = if explicit {
        paths.to_vec()
    } else {
        usual_locations(data_home().as_deref())
    };
    let mut opener = Opener::default();
    for root in &roots {
        match fs::metadata(root) {
            Ok(m) if m.is_dir() => opener.scan_dir(root),
            Ok(_) => opener.open_file(root),
            Err(e) if explicit => opener
                .msgs
                .push(format!("GeoIP: cannot use {}: {e}", root.display())),
            Err(_) => {}
        }
    }
    let Opener { mut dbs, msgs, .. } = opener;
    if dbs.is_empty() {
        let list: Vec<String> = roots.iter().map(|p| p.display().to_string()).collect();
        let none = format!(
            "GeoIP: no database found in {}; country, coordinates and ASN come from the logs only",
            list.join(", ")
        );
        let mut notes = neutral(msgs);
        notes.push(GeoNote::NoDatabase(clean(&none)));
        return (None, notes);
    }
    dbs.sort_by_key(|d| d.info.kind);
    (Some(GeoIp { dbs }), neutral(msgs))
}

/// Messages quote file names and the files' own metadata: neutralised here, once.
fn neutral(msgs: Vec<String>) -> Vec<GeoNote> {
    msgs.iter().map(|m| GeoNote::Told(clean(m))).collect()
}

fn clean(m: &str) -> String {
    crate::sanitize::clean(m).into_owned()
}

/// Collects databases and messages while walking the configured paths.
#[derive(Default)]
struct Opener {
    dbs: Vec<Db>,
    msgs: Vec<String>,
    seen: HashSet<PathBuf>,
}

impl Opener {
    /// Opens the `.mmdb` files of one folder (not recursive), in name order.
    /// Files that look like other GeoIP data are skipped with a warning; the
    /// rest (READMEs, hunt's own case file, ...) are none of our business.
    fn scan_dir(&mut self, dir: &Path) {
        let entries = match fs::read_dir(dir) {
            Ok(rd) => rd,
            Err(e) => {
                self.msgs
                    .push(format!("GeoIP: cannot read {}: {e}", dir.display()));
                return;
            }
        };
        let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        for path in files {
            let name = match path.file_name().and_then(|n| n.to_str()) {
                Some(n) if !n.starts_with('.') => n.to_ascii_lowercase(),
                _ => continue,
            };
            if !path.is_file() {
                continue;
            }
            if name.ends_with(".mmdb") {
                self.open_file(&path);
            } else if let Some(why) = foreign_geo_file(&name) {
                self.msgs
                    .push(format!("GeoIP: skipped {}: {why}", path.display()));
            }
        }
    }

    fn open_file(&mut self, path: &Path) {
        let key = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if !self.seen.insert(key) {
            return;
        }
        match open_db(path) {
            Ok(db) => {
                self.msgs.push(format!("GeoIP: {}", db.info));
                self.dbs.push(db);
            }
            Err(why) => self
                .msgs
                .push(format!("GeoIP: skipped {}: {why}", path.display())),
        }
    }
}

/// Why a file in a scanned folder is GeoIP data we cannot read, if it is.
fn foreign_geo_file(lower_name: &str) -> Option<&'static str> {
    if lower_name.ends_with(".dat") {
        return Some("legacy GeoIP .dat format, not a MaxMind DB (.mmdb) file");
    }
    let compressed = [".gz", ".tgz", ".zip", ".tar"]
        .iter()
        .any(|e| lower_name.ends_with(e));
    let geo = ["mmdb", "geoip", "geolite", "dbip"]
        .iter()
        .any(|k| lower_name.contains(k));
    (compressed && geo).then_some("compressed download; unpack the .mmdb file into this folder")
}

fn open_db(path: &Path) -> Result<Db, String> {
    // SAFETY: the map is read-only and the database files are not changed
    // while hunt runs; geoipupdate replaces a database by writing a new file
    // and renaming it over the old one, which leaves this mapping intact.
    let reader = match unsafe { Reader::open_mmap(path) } {
        Ok(r) => AnyReader::Mapped(r),
        Err(MaxMindDbError::Mmap(_)) => {
            AnyReader::Read(Reader::open_readfile(path).map_err(describe)?)
        }
        Err(e) => return Err(describe(e)),
    };
    let meta = match &reader {
        AnyReader::Mapped(r) => r.metadata(),
        AnyReader::Read(r) => r.metadata(),
    };
    let database_type = meta.database_type.clone();
    let build_epoch = meta.build_epoch;
    let kind = kind_from_type(&database_type)
        .or_else(|| match &reader {
            AnyReader::Mapped(r) => probe_kind(r),
            AnyReader::Read(r) => probe_kind(r),
        })
        .ok_or_else(|| {
            format!("database type \"{database_type}\" holds no country, city or ASN data")
        })?;
    let info = DbInfo {
        path: path.to_path_buf(),
        kind,
        database_type,
        build_epoch,
    };
    Ok(Db {
        info,
        reader,
        problems: Default::default(),
    })
}

fn describe(e: MaxMindDbError) -> String {
    match e {
        MaxMindDbError::Io(io) => format!("cannot read it: {io}"),
        other => {
            format!("not a valid MaxMind DB file; truncated, damaged or another format ({other})")
        }
    }
}

/// The kind a `database_type` names: ASN (and ISP) first, then City (and
/// Enterprise, which has the City shape), then Country.
fn kind_from_type(t: &str) -> Option<DbKind> {
    let t = t.to_ascii_lowercase();
    if t.contains("asn") || t.contains("isp") {
        Some(DbKind::Asn)
    } else if t.contains("city") || t.contains("enterprise") {
        Some(DbKind::City)
    } else if t.contains("country") {
        Some(DbKind::Country)
    } else {
        None
    }
}

/// The fields of the first record, for databases with an unfamiliar type name.
#[derive(Deserialize)]
struct Probe {
    autonomous_system_number: Option<u32>,
    location: Option<IgnoredAny>,
    city: Option<IgnoredAny>,
    country: Option<IgnoredAny>,
}

fn probe_kind<S: AsRef<[u8]>>(r: &Reader<S>) -> Option<DbKind> {
    let first = r.networks(Default::default()).ok()?.next()?.ok()?;
    let p = first.decode::<Probe>().ok()??;
    if p.autonomous_system_number.is_some() {
        Some(DbKind::Asn)
    } else if p.location.is_some() || p.city.is_some() {
        Some(DbKind::City)
    } else if p.country.is_some() {
        Some(DbKind::Country)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_from_database_type() {
        assert_eq!(kind_from_type("GeoLite2-City"), Some(DbKind::City));
        assert_eq!(kind_from_type("DBIP-City-Lite"), Some(DbKind::City));
        assert_eq!(kind_from_type("GeoIP2-Country"), Some(DbKind::Country));
        assert_eq!(kind_from_type("DBIP-Country-Lite"), Some(DbKind::Country));
        assert_eq!(kind_from_type("GeoLite2-ASN"), Some(DbKind::Asn));
        assert_eq!(
            kind_from_type("DBIP-ASN-Lite (compat=GeoLite2-ASN)"),
            Some(DbKind::Asn)
        );
        assert_eq!(kind_from_type("GeoIP2-Enterprise"), Some(DbKind::City));
        assert_eq!(kind_from_type("GeoIP2-Anonymous-IP"), None);
    }

    #[test]
    fn usual_locations_include_xdg_data() {
        let v = usual_locations(Some(Path::new("/home/a/.local/share")));
        assert_eq!(v[0], Path::new("/usr/share/GeoIP"));
        assert_eq!(v[1], Path::new("/var/lib/GeoIP"));
        assert!(v.contains(&PathBuf::from("/home/a/.local/share/GeoIP")));
        assert!(v.contains(&PathBuf::from("/home/a/.local/share/hunt")));
        assert_eq!(usual_locations(None).len(), 2);
    }

    #[test]
    fn build_date_and_foreign_files() {
        let info = DbInfo {
            path: PathBuf::from("/x/GeoLite2-City.mmdb"),
            kind: DbKind::City,
            database_type: "GeoLite2-City".into(),
            build_epoch: 1_714_521_600,
        };
        assert_eq!(
            info.to_string(),
            "City database /x/GeoLite2-City.mmdb (GeoLite2-City, built 2024-05-01)"
        );
        assert!(foreign_geo_file("geoip.dat").is_some());
        assert!(foreign_geo_file("geolite2-city.mmdb.gz").is_some());
        assert!(foreign_geo_file("readme.md").is_none());
        assert!(foreign_geo_file("case.sqlite").is_none());
        assert!(foreign_geo_file("backup.tar.gz").is_none());
    }
}
