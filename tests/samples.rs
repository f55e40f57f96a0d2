//! The pipeline end to end on the bundled `samples/` (with the demo GeoIP
//! database): every planted attack fires, every planted lookalike stays
//! quiet, and the whole set of findings is pinned as a golden snapshot.

use hunt::config::Config;
use hunt::enrich::Enricher;
use hunt::finding::{DetectorId, Finding, Severity};
use hunt::ingest::read::expand;
use hunt::pipeline::{scan_all, Session};
use std::path::PathBuf;

fn samples_session() -> Session {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples");
    let (enricher, msgs) = Enricher::open(&[root.join("geoip")]);
    assert!(!msgs.is_empty(), "the demo GeoIP database is reported");
    let (inputs, errors) = expand(&[root]);
    assert!(errors.is_empty());
    scan_all(inputs, Config::default(), enricher)
}

fn find<'a>(s: &'a Session, d: DetectorId, entity: &str) -> Option<&'a Finding> {
    s.findings.all().iter().find(|f| {
        f.detector == d && (f.user.as_deref() == Some(entity) || f.ip.as_deref() == Some(entity))
    })
}

#[test]
fn planted_attacks_fire_and_lookalikes_stay_quiet() {
    let s = samples_session();
    assert_eq!(s.problem_count(), 0, "samples parse cleanly");
    use DetectorId::*;
    let fires = [
        (CredentialStuffing, "megan.bowen@contoso.com"),
        (CredentialStuffing, "kim.akers@contoso.com"),
        (CredentialStuffing, "svc-backup"),
        (CredentialStuffing, "oracle"),
        (PasswordSpray, "45.83.64.17"),
        (ImpossibleTravel, "nestor.wilke@contoso.com"),
        (ImpossibleTravel, "deploy"),
        (HostingAsn, "joni.sherman@contoso.com"),
        (HostingAsn, "ben.walters@contoso.com"),
        (HostingAsn, "lynne.robbins@contoso.com"),
        (IdentityRisk, "lynne.robbins@contoso.com"),
        (IdentityRisk, "grady.archie@contoso.com"),
        (LegacyAuth, "miriam.graham@contoso.com"),
        (InboxRule, "megan.bowen@contoso.com"),
        (InboxRule, "debra.berger@contoso.com"),
        (InboxRule, "alex.wilber@contoso.com"),
        (BulkSend, "megan.bowen@contoso.com"),
        (CloudRecon, "ci-deployer"),
        (SessionAnomaly, "patti.fernandez@contoso.com"),
        (BruteForce, "lidia.holloway@contoso.com"),
        (SlowSpray, "176.123.4.37"),
        (DistributedSpray, "185.107.56.10"),
        (NewCountry, "raul.razo@contoso.com"),
    ];
    for (d, who) in fires {
        assert!(find(&s, d, who).is_some(), "{d} should fire for {who}");
    }
    let quiet = [
        (CredentialStuffing, "adele.vance@contoso.com"), // 3 typos then success
        (CredentialStuffing, "lee.gu@contoso.com"),      // only 50053/50076 before success
        (CredentialStuffing, "deploy"),                  // sshd typos that PAM logs twice
        (ImpossibleTravel, "pradeep.gupta@contoso.com"), // Brussels → Amsterdam in 45 min
        (ImpossibleTravel, "isaiah.langer@contoso.com"), // New York → London after 9 h
        (IdentityRisk, "johanna.lorenz@contoso.com"),    // risk on a failed sign-in
        (InboxRule, "emily.braun@contoso.com"),          // rule that only files newsletters
        (BulkSend, "alex.wilber@contoso.com"),           // 35 sends in an hour
        (BruteForce, "christie.cline@contoso.com"),      // six typos, gives up
        (CredentialStuffing, "christie.cline@contoso.com"), // no success after them
        (CredentialStuffing, "lidia.holloway@contoso.com"), // brute force, no success
        (NewCountry, "new.joiner@contoso.com"),          // travels without a baseline
        (ImpossibleTravel, "new.joiner@contoso.com"),    // Amsterdam → Paris next day
        (SlowSpray, "62.140.128.10"),                    // the office NAT over the week
        (DistributedSpray, "62.140.128.10"),             // one NAT address is not a network spray
    ];
    // Issue 13's planted cases (samples/entra/SigninLogs-mfa-and-clients.ndjson).
    for (d, who) in [
        (MfaFatigue, "henrietta.mueller@contoso.com"),
        (SuspiciousClient, "raul.razo@contoso.com"),
        (SuspiciousClient, "enrico.cattaneo@contoso.com"),
        (UserEnumeration, "193.32.162.70"),
    ] {
        assert!(find(&s, d, who).is_some(), "{d} should fire for {who}");
    }
    let quiet13 = [
        (MfaFatigue, "irvin.sayers@contoso.com"), // three missed prompts, then approved
        (SuspiciousClient, "allan.deyoung@contoso.com"), // a failed ROPC attempt with curl
        (UserEnumeration, "62.140.128.10"),       // one mistyped name, three times
    ];
    for (d, who) in quiet.into_iter().chain(quiet13) {
        assert!(
            find(&s, d, who).is_none(),
            "{d} must stay quiet for {who}: {:?}",
            find(&s, d, who)
        );
    }
    // Shared NAT egress: kept, but suppressed.
    let nat = find(&s, PasswordSpray, "62.140.128.10").expect("NAT spray finding kept");
    assert!(nat.suppressed.is_some());

    let spray = find(&s, PasswordSpray, "45.83.64.17").unwrap();
    assert_eq!(spray.risk, 90, "spray with success");
    let inbox = find(&s, InboxRule, "megan.bowen@contoso.com").unwrap();
    assert_eq!(
        inbox.severity,
        Severity::Critical,
        "forwarding outside the domain"
    );
    let slow = find(&s, SlowSpray, "176.123.4.37").unwrap();
    assert_eq!(slow.risk, 85, "slow spray with success (raul.razo)");
    let dist = find(&s, DistributedSpray, "185.107.56.10").unwrap();
    assert_eq!(dist.details["network"], "AS212238");
    let travel = find(&s, ImpossibleTravel, "deploy").unwrap();
    assert!(
        travel.details.to_string().contains("database"),
        "sshd travel needs GeoIP: {}",
        travel.details
    );
}

#[test]
fn samples_findings_golden() {
    let s = samples_session();
    let mut lines: Vec<String> = s
        .findings
        .sorted()
        .iter()
        .map(|f| {
            format!(
                "{} {:<19} {:<8} {:>3} {:<32} ev={:<3} {}{}",
                f.id,
                f.detector.as_str(),
                f.severity.as_str(),
                f.risk,
                f.user.as_deref().or(f.ip.as_deref()).unwrap_or("-"),
                f.event_count,
                f.title,
                if f.suppressed.is_some() {
                    " [suppressed]"
                } else {
                    ""
                }
            )
        })
        .collect();
    lines.sort();
    insta::assert_snapshot!("samples_findings", lines.join("\n"));
}
