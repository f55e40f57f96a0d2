//! Writes the synthetic logs in `samples/` (run: `cargo run --example gen_samples`).
//!
//! Deterministic (a fixed-seed PRNG, fixed dates), so the files and the
//! findings they produce are stable. Every detector's attack is planted
//! among ordinary background activity, together with the lookalikes that
//! must stay quiet; `samples/README.md` lists what is where.

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{json, Value};
use std::fs;
use std::io::Write;
use std::path::Path;

/// xorshift64*: small, deterministic, good enough for background noise.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}

const DOMAIN: &str = "contoso.com";
const TENANT: &str = "6f7a3c1e-2b4d-4e8f-9a0b-1c2d3e4f5a6b";
const OTHER_TENANT: &str = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e";
const CORP_NAT: &str = "62.140.128.10";

/// Okta-only workforce (a subsidiary), so its background never touches the Entra stories.
const OKTA_STAFF: [&str; 8] = [
    "carlos.slattery",
    "cameron.white",
    "dani.roberts",
    "gaby.dias",
    "jordan.miller",
    "kayo.miwa",
    "lisa.taylor",
    "omar.haddad",
];

const STAFF: [&str; 24] = [
    "adele.vance",
    "alex.wilber",
    "allan.deyoung",
    "ben.walters",
    "christie.cline",
    "debra.berger",
    "diego.siciliani",
    "emily.braun",
    "enrico.cattaneo",
    "grady.archie",
    "henrietta.mueller",
    "irvin.sayers",
    "isaiah.langer",
    "johanna.lorenz",
    "joni.sherman",
    "lee.gu",
    "lidia.holloway",
    "lynne.robbins",
    "megan.bowen",
    "miriam.graham",
    "nestor.wilke",
    "patti.fernandez",
    "pradeep.gupta",
    "raul.razo",
];

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .expect("valid sample time")
}

fn iso(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn upn(name: &str) -> String {
    format!("{name}@{DOMAIN}")
}

/// A place a sign-in comes from.
#[derive(Clone, Copy)]
struct Place {
    ip: &'static str,
    cc: &'static str,
    city: &'static str,
    lat: f64,
    lon: f64,
    asn: u32,
}

const AMS_CORP: Place = Place {
    ip: CORP_NAT,
    cc: "NL",
    city: "Amsterdam",
    lat: 52.3676,
    lon: 4.9041,
    asn: 64600,
};
const NEW_YORK: Place = Place {
    ip: "72.229.28.40",
    cc: "US",
    city: "New York",
    lat: 40.7128,
    lon: -74.006,
    asn: 12271,
};
const LAGOS: Place = Place {
    ip: "102.89.0.23",
    cc: "NG",
    city: "Lagos",
    lat: 6.5244,
    lon: 3.3792,
    asn: 29465,
};
const BRUSSELS: Place = Place {
    ip: "91.183.0.12",
    cc: "BE",
    city: "Brussels",
    lat: 50.8503,
    lon: 4.3517,
    asn: 5432,
};
const LONDON: Place = Place {
    ip: "81.2.69.15",
    cc: "GB",
    city: "London",
    lat: 51.5074,
    lon: -0.1278,
    asn: 20712,
};
const SAO_PAULO: Place = Place {
    ip: "175.45.176.9",
    cc: "BR",
    city: "São Paulo",
    lat: -23.5505,
    lon: -46.6333,
    asn: 28573,
};
const M247: Place = Place {
    ip: "45.83.64.17",
    cc: "NL",
    city: "Amsterdam",
    lat: 52.3676,
    lon: 4.9041,
    asn: 9009,
};
const FRANTECH: Place = Place {
    ip: "104.244.72.115",
    cc: "LU",
    city: "Luxembourg",
    lat: 49.6116,
    lon: 6.1319,
    asn: 53667,
};

/// One Entra sign-in row with the fields the detectors read.
struct SignIn<'a> {
    time: DateTime<Utc>,
    user: &'a str,
    place: Place,
    code: u32,
    app: &'a str,
    client: &'a str,
    auth: &'a str,
    risk_level: &'a str,
    risk_state: &'a str,
    risk_events: &'a [&'a str],
    home_tenant: &'a str,
    session: String,
    /// Write dynamic columns as JSON text and numbers as strings (az CLI export).
    as_text: bool,
    interactive: bool,
}

impl<'a> SignIn<'a> {
    fn new(time: DateTime<Utc>, user: &'a str, place: Place, code: u32) -> Self {
        SignIn {
            time,
            user,
            place,
            code,
            app: "Office 365 Exchange Online",
            client: "Browser",
            auth: "multiFactorAuthentication",
            risk_level: "none",
            risk_state: "none",
            risk_events: &[],
            home_tenant: TENANT,
            session: String::new(),
            as_text: false,
            interactive: true,
        }
    }

    fn sentinel(&self, seq: u64) -> Value {
        let loc = json!({
            "city": self.place.city, "state": "", "countryOrRegion": self.place.cc,
            "geoCoordinates": {"latitude": self.place.lat, "longitude": self.place.lon}
        });
        let status = json!({"errorCode": self.code, "failureReason": if self.code == 0 { "" } else { "Invalid username or password or Invalid on-premise username or password." }});
        let mut row = json!({
            "TenantId": TENANT,
            "TimeGenerated": iso(self.time),
            "Type": if self.interactive { "SigninLogs" } else { "AADNonInteractiveUserSignInLogs" },
            "OperationName": "Sign-in activity",
            "UserPrincipalName": self.user,
            "UserDisplayName": self.user.split('@').next().unwrap_or_default().replace('.', " "),
            "IPAddress": self.place.ip,
            "ResultType": self.code.to_string(),
            "ResultDescription": if self.code == 0 { "Success" } else { "Failure" },
            "AppDisplayName": self.app,
            "ClientAppUsed": self.client,
            "AuthenticationRequirement": self.auth,
            "Location": self.place.cc,
            "LocationDetails": loc,
            "Status": status,
            "RiskLevelDuringSignIn": self.risk_level,
            "RiskState": self.risk_state,
            "RiskEventTypes_V2": self.risk_events,
            "HomeTenantId": self.home_tenant,
            "ResourceTenantId": TENANT,
            "AutonomousSystemNumber": self.place.asn,
            "SessionId": self.session,
            "CorrelationId": format!("{:08x}-5a1e-4c0d-9e2f-{:012x}", seq, seq * 7919),
            "UserAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
            "DeviceDetail": {"operatingSystem": "Windows 10", "browser": "Chrome 124.0.0"},
            "IsInteractive": self.interactive,
        });
        if self.as_text {
            for k in [
                "LocationDetails",
                "Status",
                "DeviceDetail",
                "RiskEventTypes_V2",
            ] {
                row[k] = Value::String(row[k].to_string());
            }
            row["AutonomousSystemNumber"] = Value::String(self.place.asn.to_string());
            row["IsInteractive"] = Value::String(self.interactive.to_string());
            row["ResultType"] = json!(self.code);
        }
        row
    }
}

fn write_lines(path: &Path, rows: &[Value]) {
    let mut f = fs::File::create(path).expect("create sample");
    for r in rows {
        writeln!(f, "{r}").expect("write sample");
    }
}

fn sort_by_key(rows: &mut [Value], key: &str) {
    rows.sort_by(|a, b| a[key].as_str().cmp(&b[key].as_str()));
}

fn entra(dir: &Path, rng: &mut Rng) {
    let day0 = t("2026-11-16T00:00:00Z");
    let mut rows = Vec::new();
    let mut seq = 0u64;
    // Background: five working days at the office NAT, a few typos, some non-interactive refreshes.
    // Users with a scripted story keep the scripted day to themselves.
    let scripted = [
        ("megan.bowen", 2),
        ("nestor.wilke", 2),
        ("patti.fernandez", 2),
        ("isaiah.langer", 4),
    ];
    for d in 0..5 {
        for name in STAFF {
            if scripted.contains(&(name, d)) {
                continue;
            }
            let user = upn(name);
            let n = 2 + rng.below(3);
            for _ in 0..n {
                let at =
                    day0 + Duration::days(d) + Duration::minutes(8 * 60 + rng.below(9 * 60) as i64);
                if rng.below(12) == 0 {
                    seq += 1;
                    let typo = SignIn::new(at - Duration::seconds(40), &user, AMS_CORP, 50126);
                    rows.push(typo.sentinel(seq));
                }
                seq += 1;
                let mut s = SignIn::new(at, &user, AMS_CORP, 0);
                s.app = rng.pick(&[
                    "Office 365 Exchange Online",
                    "Microsoft Teams",
                    "Office 365 SharePoint Online",
                    "Azure Portal",
                ]);
                s.as_text = rng.below(3) == 0;
                s.interactive = rng.below(4) != 0;
                s.session = format!("bg-{name}-{d}");
                rows.push(s.sentinel(seq));
            }
        }
    }
    let mut push = |s: SignIn, rows: &mut Vec<Value>| {
        seq += 1;
        rows.push(s.sentinel(seq));
    };
    let day = |hm: &str| t(&format!("2026-11-18T{hm}:00Z"));

    // credential_stuffing: megan.bowen, 7 failures from 4 IPs, then a success.
    let megan = upn("megan.bowen");
    let attackers = [
        SAO_PAULO,
        LAGOS,
        M247,
        Place {
            ip: "175.45.176.44",
            ..SAO_PAULO
        },
    ];
    for i in 0..7 {
        push(
            SignIn::new(
                day("13:10") + Duration::minutes(i * 4),
                &megan,
                attackers[i as usize % 4],
                50126,
            ),
            &mut rows,
        );
    }
    push(SignIn::new(day("13:42"), &megan, SAO_PAULO, 0), &mut rows);
    // Lookalike: adele.vance, 3 typos then success.
    let adele = upn("adele.vance");
    for i in 0..3 {
        push(
            SignIn::new(day("07:50") + Duration::minutes(i), &adele, AMS_CORP, 50126),
            &mut rows,
        );
    }
    push(SignIn::new(day("07:54"), &adele, AMS_CORP, 0), &mut rows);
    // Lookalike: lee.gu, only locked-out / MFA-required codes before a success.
    let lee = upn("lee.gu");
    for (i, code) in [50053, 50076, 50076, 50053, 50076, 50076]
        .iter()
        .enumerate()
    {
        push(
            SignIn::new(
                day("07:30") + Duration::minutes(i as i64),
                &lee,
                AMS_CORP,
                *code,
            ),
            &mut rows,
        );
    }
    push(SignIn::new(day("07:40"), &lee, AMS_CORP, 0), &mut rows);

    // password_spray with success from M247, straddling the 10:15 quarter-hour: 12 users × 2 tries.
    let sprayed: Vec<String> = STAFF[..12].iter().map(|n| upn(n)).collect();
    for round in 0..2 {
        for (i, u) in sprayed.iter().enumerate() {
            let at = day("10:08") + Duration::seconds(round * 300 + i as i64 * 25);
            let mut s = SignIn::new(at, u, M247, 50126);
            s.client = "Mobile Apps and Desktop clients";
            s.auth = "singleFactorAuthentication";
            push(s, &mut rows);
        }
    }
    for (u, at) in [
        (upn("alex.wilber"), "10:24"),
        (upn("diego.siciliani"), "10:26"),
    ] {
        let mut s = SignIn::new(day(at), &u, M247, 0);
        s.auth = "singleFactorAuthentication";
        push(s, &mut rows);
    }
    // Lookalike: the office NAT with many failures and many users succeeding (shared egress).
    let nat_users = [
        "allan.deyoung",
        "christie.cline",
        "debra.berger",
        "emily.braun",
        "enrico.cattaneo",
        "henrietta.mueller",
        "irvin.sayers",
        "lidia.holloway",
        "raul.razo",
    ];
    for i in 0..24 {
        let u = upn(nat_users[i % nat_users.len()]);
        push(
            SignIn::new(
                day("09:00") + Duration::seconds(i as i64 * 30),
                &u,
                AMS_CORP,
                50126,
            ),
            &mut rows,
        );
    }
    for (i, name) in nat_users.iter().take(6).enumerate() {
        push(
            SignIn::new(
                day("09:13") + Duration::seconds(i as i64 * 20),
                &upn(name),
                AMS_CORP,
                0,
            ),
            &mut rows,
        );
    }

    // impossible_travel: nestor.wilke New York 10:50 → Lagos 11:10 (straddles the hour).
    let nestor = upn("nestor.wilke");
    push(SignIn::new(day("10:50"), &nestor, NEW_YORK, 0), &mut rows);
    push(SignIn::new(day("11:10"), &nestor, LAGOS, 0), &mut rows);
    // Lookalikes: Brussels → Amsterdam in 45 minutes; New York → London after 9 hours.
    let pradeep = upn("pradeep.gupta");
    push(
        SignIn::new(t("2026-11-19T06:00:00Z"), &pradeep, BRUSSELS, 0),
        &mut rows,
    );
    push(
        SignIn::new(t("2026-11-19T06:45:00Z"), &pradeep, AMS_CORP, 0),
        &mut rows,
    );
    let isaiah = upn("isaiah.langer");
    push(
        SignIn::new(t("2026-11-20T22:00:00Z"), &isaiah, NEW_YORK, 0),
        &mut rows,
    );
    push(
        SignIn::new(t("2026-11-21T07:00:00Z"), &isaiah, LONDON, 0),
        &mut rows,
    );

    // hosting_asn: joni.sherman from FranTech (AS number only).
    push(
        SignIn::new(day("15:05"), &upn("joni.sherman"), FRANTECH, 0),
        &mut rows,
    );

    // identity_risk: lynne.robbins high risk + anonymizedIPAddress (2 indicators).
    let mut s = SignIn::new(day("16:20"), "", AMS_CORP, 0);
    let lynne = upn("lynne.robbins");
    s.user = &lynne;
    s.place = Place {
        ip: "185.220.101.7",
        cc: "DE",
        city: "Frankfurt am Main",
        lat: 50.1109,
        lon: 8.6821,
        asn: 60729,
    };
    s.risk_level = "high";
    s.risk_state = "atRisk";
    s.risk_events = &["anonymizedIPAddress", "unfamiliarFeatures"];
    push(s, &mut rows);
    // Lookalike: risk on a failed sign-in.
    let johanna = upn("johanna.lorenz");
    let mut s = SignIn::new(day("16:30"), &johanna, LAGOS, 50126);
    s.risk_level = "high";
    s.risk_events = &["passwordSpray"];
    push(s, &mut rows);
    // identity_risk: cross-tenant single-factor (guest from another tenant).
    let grady = upn("grady.archie");
    let mut s = SignIn::new(day("12:00"), &grady, AMS_CORP, 0);
    s.auth = "singleFactorAuthentication";
    s.home_tenant = OTHER_TENANT;
    push(s, &mut rows);

    // legacy_auth: miriam.graham over IMAP4 with a password only.
    let miriam = upn("miriam.graham");
    let mut s = SignIn::new(day("17:45"), &miriam, AMS_CORP, 0);
    s.client = "IMAP4";
    s.auth = "singleFactorAuthentication";
    push(s, &mut rows);

    // session_anomaly: patti.fernandez's session replayed from M247 twenty minutes later.
    let patti = upn("patti.fernandez");
    let mut s = SignIn::new(day("14:00"), &patti, AMS_CORP, 0);
    s.session = "f1d2c3b4-aitm-5e6f-7a8b-9c0d1e2f3a4b".into();
    push(s, &mut rows);
    let mut s = SignIn::new(day("14:20"), &patti, M247, 0);
    s.session = "f1d2c3b4-aitm-5e6f-7a8b-9c0d1e2f3a4b".into();
    s.interactive = false;
    push(s, &mut rows);

    sort_by_key(&mut rows, "TimeGenerated");
    write_lines(&dir.join("SigninLogs.ndjson"), &rows);

    // A Graph signIns page (newest first) with two more sign-ins of the same tenant.
    let graph = |time: &str, user: &str, place: Place, code: u32| {
        json!({
            "id": format!("66ea54eb-{}", time.replace([':', '-'], "")),
            "createdDateTime": time, "userPrincipalName": user, "userDisplayName": user,
            "appDisplayName": "Azure Portal", "ipAddress": place.ip, "clientAppUsed": "Browser",
            "isInteractive": true, "authenticationRequirement": "multiFactorAuthentication",
            "status": {"errorCode": code, "failureReason": if code == 0 { "Other." } else { "Invalid username or password." }},
            "location": {"city": place.city, "state": "", "countryOrRegion": place.cc,
                         "geoCoordinates": {"latitude": place.lat, "longitude": place.lon}},
            "riskLevelDuringSignIn": "none", "riskState": "none", "riskEventTypes_v2": [],
            "homeTenantId": TENANT, "resourceTenantId": TENANT, "autonomousSystemNumber": place.asn,
        })
    };
    let page = json!({
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#auditLogs/signIns",
        "value": [
            graph("2026-11-20T09:14:02Z", &upn("henrietta.mueller"), AMS_CORP, 0),
            graph("2026-11-20T09:13:31Z", &upn("henrietta.mueller"), AMS_CORP, 50126),
            graph("2026-11-19T16:02:11Z", &upn("raul.razo"), AMS_CORP, 0),
        ]
    });
    fs::write(
        dir.join("graph-signins.json"),
        serde_json::to_string_pretty(&page).expect("json"),
    )
    .expect("write");
}

fn okta(dir: &Path, rng: &mut Rng) {
    let ev = |time: DateTime<Utc>,
              user: &str,
              event_type: &str,
              result: &str,
              ip: &str,
              country: &str,
              city: &str,
              asn: u32,
              org: &str,
              proxy: bool| {
        json!({
            "uuid": format!("okta-{}-{}", time.timestamp_millis(), user.len()),
            "published": iso(time),
            "eventType": event_type,
            "version": "0",
            "severity": if result == "SUCCESS" { "INFO" } else { "WARN" },
            "displayMessage": if event_type == "user.session.start" { "User login to Okta" } else { "Authentication of user via MFA" },
            "actor": {"id": "00u1a2b3c4", "type": "User", "alternateId": user, "displayName": user},
            "client": {
                "userAgent": {"rawUserAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) Safari/605.1.15", "os": "Mac OS X", "browser": "SAFARI"},
                "zone": "null", "device": "Computer", "ipAddress": ip,
                "geographicalContext": {"city": city, "state": null, "country": country, "postalCode": null,
                    "geolocation": {"lat": 0.0, "lon": 0.0}},
            },
            "outcome": {"result": result, "reason": if result == "FAILURE" { "INVALID_CREDENTIALS" } else { "null" }},
            "securityContext": {"asNumber": asn, "asOrg": org, "isp": org, "domain": null, "isProxy": proxy},
            "authenticationContext": {"authenticationStep": 0, "externalSessionId":
                if result == "SUCCESS" { format!("102{}{}", user.len() * 7919, time.timestamp() % 100_000) } else { "unknown".to_string() }},
            "transaction": {"type": "WEB", "id": "WEBTX"},
        })
    };
    let mut rows = Vec::new();
    let base = t("2026-11-17T08:00:00Z");
    for d in 0..4 {
        for name in OKTA_STAFF {
            let at = base + Duration::days(d) + Duration::minutes(rng.below(600) as i64);
            rows.push(ev(
                at,
                &upn(name),
                "user.session.start",
                "SUCCESS",
                CORP_NAT,
                "Netherlands",
                "Amsterdam",
                64600,
                "contoso networks",
                false,
            ));
            rows.push(ev(
                at + Duration::seconds(20),
                &upn(name),
                "user.authentication.auth_via_mfa",
                "SUCCESS",
                CORP_NAT,
                "Netherlands",
                "Amsterdam",
                64600,
                "contoso networks",
                false,
            ));
        }
    }
    // credential_stuffing from five countries against kim.akers, then a success.
    let kim = format!("kim.akers@{DOMAIN}");
    let srcs = [
        ("175.45.176.61", "Brazil", "São Paulo", 28573, "claro nxt"),
        ("102.89.0.77", "Nigeria", "Lagos", 29465, "mtn nigeria"),
        ("1.0.16.91", "Japan", "Tokyo", 2519, "arteria networks"),
        ("89.160.20.45", "Sweden", "Linköping", 29518, "bredband2 ab"),
        (
            "216.160.83.62",
            "United States",
            "Milton",
            209,
            "centurylink",
        ),
        (
            "45.83.64.90",
            "Netherlands",
            "Amsterdam",
            9009,
            "m247 europe srl",
        ),
    ];
    let at = t("2026-11-19T02:10:00Z");
    for i in 0..9 {
        let (ip, c, city, asn, org) = srcs[i % srcs.len()];
        rows.push(ev(
            at + Duration::minutes(i as i64 * 3),
            &kim,
            "user.session.start",
            "FAILURE",
            ip,
            c,
            city,
            asn,
            org,
            false,
        ));
    }
    let (ip, c, city, asn, org) = srcs[5];
    rows.push(ev(
        at + Duration::minutes(31),
        &kim,
        "user.session.start",
        "SUCCESS",
        ip,
        c,
        city,
        asn,
        org,
        false,
    ));
    // hosting_asn via Okta's isProxy on an otherwise ordinary network.
    rows.push(ev(
        t("2026-11-19T21:40:00Z"),
        &upn("ben.walters"),
        "user.session.start",
        "SUCCESS",
        "89.160.20.200",
        "Sweden",
        "Linköping",
        29518,
        "bredband2 ab",
        true,
    ));
    sort_by_key(&mut rows, "published");
    fs::write(
        dir.join("system-log.json"),
        serde_json::to_string_pretty(&Value::Array(rows)).expect("json"),
    )
    .expect("write");
}

fn windows(dir: &Path, rng: &mut Rng) {
    let ev = |time: DateTime<Utc>,
              id: u32,
              user: &str,
              logon_type: u32,
              ip: &str,
              status: &str,
              sub: &str| {
        json!({
            "@timestamp": iso(time),
            "event": {"code": id.to_string(), "provider": "Microsoft-Windows-Security-Auditing", "module": "security"},
            "host": {"name": "DC01.corp.contoso.com"},
            "winlog": {
                "channel": "Security", "computer_name": "DC01.corp.contoso.com", "event_id": id,
                "provider_name": "Microsoft-Windows-Security-Auditing", "record_id": time.timestamp() % 1_000_000,
                "event_data": {
                    "TargetUserName": user, "TargetDomainName": "CONTOSO", "LogonType": logon_type.to_string(),
                    "IpAddress": ip, "IpPort": "49152", "Status": status, "SubStatus": sub,
                    "WorkstationName": "WS-0042", "LogonProcessName": "NtLmSsp", "AuthenticationPackageName": "NTLM",
                },
            },
        })
    };
    let mut rows = Vec::new();
    let base = t("2026-11-18T07:00:00Z");
    for i in 0..300 {
        let at = base + Duration::seconds(i * 97);
        let (user, ip) = rng.pick(&[
            ("alex.wilber", "10.20.1.15"),
            ("megan.bowen", "10.20.1.22"),
            ("FS01$", "10.20.0.5"),
            ("svc-print", "10.20.0.9"),
        ]);
        rows.push(ev(
            at,
            4624,
            user,
            rng.pick(&[3u32, 3, 2, 10]),
            ip,
            "0x0",
            "0x0",
        ));
        if i % 40 == 0 {
            rows.push(ev(
                at + Duration::seconds(3),
                4624,
                "SYSTEM",
                5,
                "-",
                "0x0",
                "0x0",
            ));
        }
    }
    // credential_stuffing over SMB from Linköping: 6 wrong passwords then a logon.
    let at = t("2026-11-18T11:02:00Z");
    for i in 0..6 {
        rows.push(ev(
            at + Duration::seconds(i * 11),
            4625,
            "svc-backup",
            3,
            "89.160.20.45",
            "0xc000006d",
            "0xc000006a",
        ));
    }
    rows.push(ev(
        at + Duration::seconds(80),
        4624,
        "svc-backup",
        3,
        "89.160.20.45",
        "0x0",
        "0x0",
    ));
    sort_by_key(&mut rows, "@timestamp");
    write_lines(&dir.join("security.ndjson"), &rows);
}

fn m365(dir: &Path, rng: &mut Rng) {
    let params = |pairs: &[(&str, &str)]| {
        Value::Array(
            pairs
                .iter()
                .map(|(k, v)| json!({"Name": k, "Value": v}))
                .collect(),
        )
    };
    let row = |time: DateTime<Utc>, op: &str, user: &str, ip: &str, p: Value, as_text: bool| {
        json!({
            "TenantId": TENANT, "TimeGenerated": iso(time), "Type": "OfficeActivity",
            "RecordType": "ExchangeAdmin", "Operation": op, "OrganizationName": "contoso.onmicrosoft.com",
            "OfficeWorkload": "Exchange", "ResultStatus": "True", "UserId": user, "UserType": "Regular",
            "ClientIP": ip, "Parameters": if as_text { Value::String(p.to_string()) } else { p },
        })
    };
    let mut rows = Vec::new();
    let base = t("2026-11-18T08:00:00Z");
    // Background mail sending.
    for i in 0..400 {
        let at = base + Duration::seconds(i * 53);
        let name: &str = rng.pick(&STAFF);
        let u = upn(name);
        rows.push(row(
            at,
            "Send",
            &u,
            &format!("{CORP_NAT}:{}", 40000 + i),
            json!([]),
            false,
        ));
    }
    // bulk_send: megan.bowen sends 60 messages in 40 minutes; lookalike alex.wilber sends 35 in an hour.
    for i in 0..60 {
        rows.push(row(
            t("2026-11-18T14:00:00Z") + Duration::seconds(i * 40),
            "Send",
            &upn("megan.bowen"),
            "175.45.176.9:51000",
            json!([]),
            false,
        ));
    }
    for i in 0..35 {
        rows.push(row(
            t("2026-11-18T15:00:00Z") + Duration::seconds(i * 100),
            "Send",
            &upn("alex.wilber"),
            "[2001:67c:2e8::15]:443",
            json!([]),
            false,
        ));
    }
    // inbox_rule, critical: forward to an outside address and delete.
    rows.push(row(
        t("2026-11-18T13:50:00Z"),
        "New-InboxRule",
        &upn("megan.bowen"),
        "175.45.176.9:50110",
        params(&[
            ("Name", "."),
            ("ForwardTo", "invoices-archive@protonmail.example"),
            ("DeleteMessage", "True"),
            ("StopProcessingRules", "True"),
        ]),
        true,
    ));
    // inbox_rule, high: forwarding to an internal address.
    rows.push(row(
        t("2026-11-19T10:05:00Z"),
        "Set-Mailbox",
        &upn("debra.berger"),
        &format!("{CORP_NAT}:50990"),
        params(&[
            ("Identity", "debra.berger"),
            ("ForwardingSmtpAddress", "smtp:assistant@contoso.com"),
            ("DeliverToMailboxAndForward", "True"),
        ]),
        false,
    ));
    // inbox_rule, medium: hide security notices in RSS Feeds, mark as read.
    rows.push(row(
        t("2026-11-19T11:15:00Z"),
        "New-InboxRule",
        &upn("alex.wilber"),
        "45.83.64.17:61000",
        params(&[
            ("Name", "security"),
            ("SubjectContainsWords", "password;security;unusual sign-in"),
            ("MoveToFolder", "RSS Feeds"),
            ("MarkAsRead", "True"),
        ]),
        false,
    ));
    // Lookalike: a rule that only files newsletters.
    rows.push(row(
        t("2026-11-19T12:00:00Z"),
        "New-InboxRule",
        &upn("emily.braun"),
        &format!("{CORP_NAT}:50100"),
        params(&[
            ("Name", "Newsletters"),
            ("From", "news@contoso-partners.example"),
            ("MoveToFolder", "Newsletters"),
        ]),
        false,
    ));
    sort_by_key(&mut rows, "TimeGenerated");
    write_lines(&dir.join("OfficeActivity.ndjson"), &rows);
}

fn cloudtrail(dir: &Path, rng: &mut Rng) {
    let rec = |time: DateTime<Utc>,
               source: &str,
               name: &str,
               user: &str,
               key: &str,
               ip: &str,
               ua: &str,
               extra: Value| {
        let mut r = json!({
            "eventVersion": "1.08",
            "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": format!("arn:aws:iam::111122223333:user/{user}"),
                              "accountId": "111122223333", "accessKeyId": key, "userName": user},
            "eventTime": time.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "eventSource": source, "eventName": name, "awsRegion": "eu-west-1",
            "sourceIPAddress": ip, "userAgent": ua,
            "requestParameters": null, "responseElements": null,
            "requestID": format!("req-{}", time.timestamp()), "eventID": format!("evt-{}-{name}", time.timestamp()),
            "readOnly": true, "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "111122223333",
        });
        if let Value::Object(m) = extra {
            for (k, v) in m {
                r[k] = v;
            }
        }
        r
    };
    let mut recs = Vec::new();
    let base = t("2026-11-18T08:00:00Z");
    let ops = [
        ("ec2.amazonaws.com", "DescribeInstances"),
        ("s3.amazonaws.com", "ListBuckets"),
        ("cloudwatch.amazonaws.com", "GetMetricData"),
    ];
    for i in 0..120 {
        let (src, name) = rng.pick(&ops);
        recs.push(rec(
            base + Duration::seconds(i * 211),
            src,
            name,
            "ci-deployer",
            "AKIAEXAMPLECI00000001",
            "52.94.0.12",
            "aws-sdk-go/1.44.0",
            json!({}),
        ));
    }
    for (i, (user, ok)) in [("ops.alice", true), ("ops.bob", false), ("ops.bob", true)]
        .iter()
        .enumerate()
    {
        recs.push(rec(
            base + Duration::minutes(30 + i as i64), "signin.amazonaws.com", "ConsoleLogin", user, "", CORP_NAT,
            "Mozilla/5.0 (X11; Linux x86_64) Firefox/125.0",
            json!({"responseElements": {"ConsoleLogin": if *ok { "Success" } else { "Failure" }},
                   "additionalEventData": {"MFAUsed": "Yes", "LoginTo": "https://console.aws.amazon.com/"}}),
        ));
    }
    // cloud_recon: a leaked key validated with GetCallerIdentity, then explored within 90 s.
    let key = "AKIAEXAMPLELEAKED0042";
    let at = t("2026-11-19T03:17:05Z");
    let ua = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5 exe/x86_64.kali.2024";
    recs.push(rec(
        at,
        "sts.amazonaws.com",
        "GetCallerIdentity",
        "ci-deployer",
        key,
        "102.89.0.23",
        ua,
        json!({}),
    ));
    for (i, (src, name)) in [
        ("iam.amazonaws.com", "ListAttachedUserPolicies"),
        ("iam.amazonaws.com", "ListGroupsForUser"),
        ("s3.amazonaws.com", "ListBuckets"),
        ("ec2.amazonaws.com", "DescribeInstances"),
        ("iam.amazonaws.com", "GetAccountAuthorizationDetails"),
        ("secretsmanager.amazonaws.com", "ListSecrets"),
        ("lambda.amazonaws.com", "ListFunctions20150331"),
    ]
    .iter()
    .enumerate()
    {
        recs.push(rec(
            at + Duration::seconds(6 + i as i64 * 11),
            src,
            name,
            "ci-deployer",
            key,
            "102.89.0.23",
            ua,
            json!({}),
        ));
    }
    sort_by_key(&mut recs, "eventTime");
    let doc = json!({"Records": recs}).to_string();
    let f = fs::File::create(dir.join("cloudtrail.json.gz")).expect("create");
    let mut gz = flate2::write::GzEncoder::new(f, flate2::Compression::best());
    gz.write_all(doc.as_bytes()).expect("gzip");
    gz.finish().expect("gzip");
}

fn sshd(dir: &Path, rng: &mut Rng) {
    // Modern rsyslog with RFC 3339 timestamps (deterministic, no year to infer).
    let mut lines: Vec<(DateTime<Utc>, String)> = Vec::new();
    let host = "bastion-01";
    let mut pid = 4100u32;
    let line = |lines: &mut Vec<(DateTime<Utc>, String)>, at: DateTime<Utc>, msg: String| {
        lines.push((
            at,
            format!("{} {host} {msg}", at.format("%Y-%m-%dT%H:%M:%S%.6f+00:00")),
        ));
    };
    let base = t("2026-11-18T06:00:00Z");
    for i in 0..120 {
        let at = base + Duration::seconds(i * 431);
        pid += 7;
        let (user, ip) = rng.pick(&[
            ("deploy", "81.2.69.30"),
            ("ansible", "62.140.128.21"),
            ("backup", "62.140.128.22"),
        ]);
        if user == "deploy" && i > 18 {
            continue; // deploy's day is scripted below
        }
        line(&mut lines, at, format!("sshd[{pid}]: Accepted publickey for {user} from {ip} port {} ssh2: ED25519 SHA256:q5L1Xw8P0b", 40000 + i));
        line(&mut lines, at, format!("sshd[{pid}]: pam_unix(sshd:session): session opened for user {user}(uid=1001) by (uid=0)"));
        line(
            &mut lines,
            at + Duration::minutes(3),
            format!("sshd[{pid}]: pam_unix(sshd:session): session closed for user {user}"),
        );
    }
    // Lookalike: deploy mistypes twice (PAM logs each attempt a second time), then gets in.
    let at = t("2026-11-18T08:58:00Z");
    for i in 0..2 {
        let p = 5001 + i;
        line(&mut lines, at + Duration::seconds(i as i64 * 9), format!("sshd[{p}]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=81.2.69.30  user=deploy"));
        line(
            &mut lines,
            at + Duration::seconds(i as i64 * 9 + 2),
            format!("sshd[{p}]: Failed password for deploy from 81.2.69.30 port 5{p} ssh2"),
        );
    }
    line(
        &mut lines,
        t("2026-11-18T09:00:00Z"),
        "sshd[5003]: Accepted password for deploy from 81.2.69.30 port 55003 ssh2".into(),
    );
    // impossible_travel (needs the demo GeoIP database): deploy from London, then Tokyo 40 minutes later.
    line(
        &mut lines,
        t("2026-11-18T09:40:00Z"),
        "sshd[5010]: Accepted password for deploy from 1.0.16.40 port 61210 ssh2".into(),
    );
    // Brute force from a Tor exit, then a success for oracle (credential stuffing + hosting network).
    let at = t("2026-11-18T12:00:00Z");
    let users = [
        "root", "admin", "oracle", "postgres", "ubuntu", "test", "oracle", "oracle", "oracle",
        "git", "oracle", "oracle",
    ];
    for (i, u) in users.iter().enumerate() {
        let p = 6000 + i as u32;
        let at = at + Duration::seconds(i as i64 * 13);
        if *u == "test" || *u == "git" {
            line(
                &mut lines,
                at,
                format!("sshd[{p}]: Invalid user {u} from 185.220.101.34 port 4{p}"),
            );
            line(&mut lines, at + Duration::seconds(2), format!("sshd[{p}]: Failed password for invalid user {u} from 185.220.101.34 port 4{p} ssh2"));
        } else {
            line(
                &mut lines,
                at + Duration::seconds(2),
                format!("sshd[{p}]: Failed password for {u} from 185.220.101.34 port 4{p} ssh2"),
            );
        }
    }
    line(&mut lines, at + Duration::seconds(200), "sshd[6020]: message repeated 3 times: [ Failed password for oracle from 185.220.101.34 port 46020 ssh2]".into());
    line(
        &mut lines,
        at + Duration::seconds(230),
        "sshd[6021]: Accepted password for oracle from 185.220.101.34 port 46021 ssh2".into(),
    );
    line(
        &mut lines,
        at + Duration::seconds(231),
        "sshd[6021]: pam_unix(sshd:session): session opened for user oracle(uid=1002) by (uid=0)"
            .into(),
    );
    lines.push((t("2026-11-18T12:10:00Z"), format!("2026-11-18T12:10:00.000000+00:00 {host} CRON[7001]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)")));
    lines.sort_by_key(|l| l.0);
    let text: String = lines.into_iter().map(|(_, l)| l + "\n").collect();
    fs::write(dir.join("auth.log"), text).expect("write");

    // A classic-format `secure` file (no year in timestamps).
    let classic = "\
Nov 20 03:14:07 web-02 sshd[2201]: Invalid user admin from 102.89.0.66 port 50122
Nov 20 03:14:09 web-02 sshd[2201]: Failed password for invalid user admin from 102.89.0.66 port 50122 ssh2
Nov 20 03:14:15 web-02 sshd[2203]: Failed password for root from 102.89.0.66 port 50130 ssh2
Nov 20 03:14:21 web-02 sshd[2203]: PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=102.89.0.66  user=root
Nov 20 08:30:00 web-02 sshd[2300]: Accepted publickey for ansible from 62.140.128.21 port 40022 ssh2: RSA SHA256:Zk3
Nov 20 08:31:12 web-02 sudo:  ansible : TTY=pts/0 ; PWD=/home/ansible ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx
";
    fs::write(dir.join("secure"), classic).expect("write");
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut rng = Rng(0x5eed_1d3a_77c0_ffee);
    for (sub, f) in [
        ("entra", entra as fn(&Path, &mut Rng)),
        ("okta", okta),
        ("windows", windows),
        ("m365", m365),
        ("aws", cloudtrail),
        ("sshd", sshd),
    ] {
        let dir = root.join(sub);
        fs::create_dir_all(&dir).expect("create samples dir");
        f(&dir, &mut rng);
    }
    entra_mfa_and_clients(&root.join("entra"));
    let _ = Utc.timestamp_opt(0, 0);
    spray_campaigns(&root.join("entra"));
    println!("wrote samples under {}", root.display());
}

/// Issue 13's planted cases, in a file of their own so the files above stay
/// byte-identical: MFA fatigue, suspicious clients (ROPC with a script user
/// agent, device code) and user enumeration (Entra 50034), each with a
/// lookalike that must stay quiet. Its own seeded RNG.
fn entra_mfa_and_clients(dir: &Path) {
    let mut rng = Rng(0x1553_e13a_f1e1_d500);
    let mut rows = Vec::new();
    let mut seq = 0x1300_0000u64;
    let mut push = |s: &SignIn, edit: &dyn Fn(&mut Value)| {
        seq += 1;
        let mut row = s.sentinel(seq);
        edit(&mut row);
        rows.push(row);
    };
    let status = |code: u32, detail: &'static str| {
        move |row: &mut Value| {
            row["Status"] = json!({
                "errorCode": code,
                "failureReason": "Authentication failed during strong authentication request.",
                "additionalDetails": detail,
            });
        }
    };
    // mfa_fatigue: someone with henrietta.mueller's password pushes six MFA
    // prompts in six minutes at 03:00 on Saturday; she declines, ignores, then approves.
    let henrietta = upn("henrietta.mueller");
    let t0 = t("2026-11-21T03:00:00Z");
    for i in 0..6 {
        let at = t0 + Duration::seconds(i * 60 + rng.below(20) as i64);
        let detail = if i % 2 == 0 {
            "MFA denied; user declined the authentication"
        } else {
            "MFA denied; user did not respond to mobile app notification"
        };
        push(
            &SignIn::new(at, &henrietta, LONDON, 500121),
            &status(500121, detail),
        );
    }
    push(
        &SignIn::new(t0 + Duration::minutes(7), &henrietta, LONDON, 0),
        &|_| {},
    );
    // Lookalike: irvin.sayers misses three prompts at the office, then approves.
    let irvin = upn("irvin.sayers");
    let t1 = t("2026-11-20T09:30:00Z");
    for i in 0..3 {
        let at = t1 + Duration::seconds(i * 90);
        push(
            &SignIn::new(at, &irvin, AMS_CORP, 500121),
            &status(
                500121,
                "MFA denied; user did not respond to mobile app notification",
            ),
        );
    }
    push(
        &SignIn::new(t1 + Duration::minutes(5), &irvin, AMS_CORP, 0),
        &|_| {},
    );
    // suspicious_client: raul.razo signs in by ROPC from a Python script.
    let ropc = |row: &mut Value| {
        row["AuthenticationProtocol"] = json!("ropc");
        row["UserAgent"] = json!("python-requests/2.31.0");
        row["AppId"] = json!("1b730954-1685-4b74-9bfd-dac224a7b894");
    };
    let t2 = t("2026-11-20T16:05:00Z");
    push(&SignIn::new(t2, &upn("raul.razo"), AMS_CORP, 0), &ropc);
    // suspicious_client: enrico.cattaneo completes a device-code sign-in (device-code phishing).
    push(
        &SignIn::new(
            t2 + Duration::minutes(20),
            &upn("enrico.cattaneo"),
            AMS_CORP,
            0,
        ),
        &|row: &mut Value| {
            row["AuthenticationProtocol"] = json!("deviceCode");
            row["OriginalTransferMethod"] = json!("deviceCodeFlow");
            row["AppDisplayName"] = json!("Microsoft Authentication Broker");
            row["ResourceDisplayName"] = json!("Microsoft Graph");
        },
    );
    // Lookalike: a failed ROPC attempt with curl for allan.deyoung.
    push(
        &SignIn::new(
            t2 + Duration::minutes(40),
            &upn("allan.deyoung"),
            AMS_CORP,
            50126,
        ),
        &|row: &mut Value| {
            row["AuthenticationProtocol"] = json!("ropc");
            row["UserAgent"] = json!("curl/7.68.0");
        },
    );
    // user_enumeration: 193.32.162.70 tries twelve accounts that do not exist.
    const HARVESTER: Place = Place {
        ip: "193.32.162.70",
        cc: "RO",
        city: "Bucharest",
        lat: 44.4268,
        lon: 26.1025,
        asn: 0,
    };
    let unknown = |row: &mut Value| {
        row["Status"] = json!({
            "errorCode": 50034,
            "failureReason": "The user account does not exist in the directory.",
        });
        row["UserAgent"] = json!("Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1)");
    };
    let t3 = t("2026-11-20T22:10:00Z");
    let names = [
        "admin",
        "administrator",
        "test",
        "info",
        "support",
        "sales",
        "hr",
        "it",
        "backup",
        "scanner",
        "office",
        "reception",
    ];
    for (i, name) in names.iter().enumerate() {
        let at = t3 + Duration::seconds(i as i64 * 40 + rng.below(15) as i64);
        push(&SignIn::new(at, &upn(name), HARVESTER, 50034), &unknown);
    }
    // Lookalike: adele.vance mistypes her own name three times at the office.
    let t4 = t("2026-11-20T08:12:00Z");
    for i in 0..3 {
        let at = t4 + Duration::seconds(i * 30);
        push(
            &SignIn::new(at, &upn("adele.vanse"), AMS_CORP, 50034),
            &unknown,
        );
    }
    sort_by_key(&mut rows, "TimeGenerated");
    write_lines(&dir.join("SigninLogs-mfa-and-clients.ndjson"), &rows);
}

/// Issue 13 (brute_force, slow_spray, distributed_spray, new_country): its
/// own file and RNG, so the files above stay byte-identical.
fn spray_campaigns(dir: &Path) {
    let mut rng = Rng(0x1313_d15c_0b0e_5eed);
    let mut rows = Vec::new();
    let mut seq = 0x1313_0000u64;
    let mut push = |s: SignIn, rows: &mut Vec<Value>| {
        seq += 1;
        rows.push(s.sentinel(seq));
    };
    // slow_spray: one Alexhost address tries 22 staff once each, every 35
    // minutes through the night (never 5 users within 15 minutes), then one
    // of them signs in from it: "with success". That sign-in is also
    // raul.razo's first from Moldova (new_country) and from a listed AS
    // (hosting_asn).
    const ALEXHOST: Place = Place {
        ip: "176.123.4.37",
        cc: "MD",
        city: "Chisinau",
        lat: 47.0105,
        lon: 28.8638,
        asn: 200019,
    };
    let sprayed: Vec<&str> = STAFF
        .iter()
        .copied()
        .filter(|u| !["adele.vance", "lee.gu"].contains(u))
        .collect();
    let start = t("2026-11-18T18:00:00Z");
    for (i, u) in sprayed.iter().enumerate() {
        let at = start + Duration::minutes(35 * i as i64) + Duration::seconds(rng.below(50) as i64);
        let user = upn(u);
        push(SignIn::new(at, &user, ALEXHOST, 50126), &mut rows);
    }
    let raul = upn("raul.razo");
    push(
        SignIn::new(t("2026-11-19T17:10:00Z"), &raul, ALEXHOST, 0),
        &mut rows,
    );
    // distributed_spray: 24 staff fail once each from 8 addresses of one
    // proxy network (AS 212238) within 40 minutes; no address comes near
    // password_spray's 5 users / 20 attempts in 15 minutes.
    const PROXY_IPS: [&str; 8] = [
        "185.107.56.10",
        "185.107.56.11",
        "185.107.56.12",
        "185.107.56.13",
        "185.107.56.14",
        "185.107.56.15",
        "185.107.56.16",
        "185.107.56.17",
    ];
    let start = t("2026-11-19T16:00:00Z");
    for (i, u) in STAFF.iter().enumerate() {
        let place = Place {
            ip: PROXY_IPS[i % PROXY_IPS.len()],
            cc: "DE",
            city: "Frankfurt am Main",
            lat: 50.1109,
            lon: 8.6821,
            asn: 212238,
        };
        let at = start + Duration::seconds(100 * i as i64 + rng.below(30) as i64);
        let user = upn(u);
        push(SignIn::new(at, &user, place, 50126), &mut rows);
    }
    // brute_force: a Friday-night run of 14 guesses at one account from two
    // Lagos addresses in 8 minutes, no success (nobody signs in until Monday).
    let lidia = upn("lidia.holloway");
    let start = t("2026-11-20T23:10:00Z");
    for i in 0..14 {
        let place = Place {
            ip: if i % 2 == 0 {
                "102.89.0.40"
            } else {
                "102.89.0.41"
            },
            ..LAGOS
        };
        let at = start + Duration::seconds(35 * i + rng.below(5) as i64);
        push(SignIn::new(at, &lidia, place, 50126), &mut rows);
    }
    // Lookalike: christie.cline types a wrong password six times and
    // gives up for the night (below brute_force's 10; no success after, so
    // no credential_stuffing either).
    let christie = upn("christie.cline");
    let start = t("2026-11-20T21:30:00Z");
    for i in 0..6 {
        let at = start + Duration::seconds(40 * i);
        push(SignIn::new(at, &christie, AMS_CORP, 50126), &mut rows);
    }
    // Lookalike: a new joiner travels in their first week: three sign-ins
    // from the office, then two from Paris (no baseline for new_country;
    // Amsterdam → Paris is too short for impossible_travel).
    const PARIS: Place = Place {
        ip: "90.84.0.12",
        cc: "FR",
        city: "Paris",
        lat: 48.8566,
        lon: 2.3522,
        asn: 3215,
    };
    let joiner = upn("new.joiner");
    for (i, (day, place)) in [
        ("2026-11-18T08:30:00Z", AMS_CORP),
        ("2026-11-18T13:30:00Z", AMS_CORP),
        ("2026-11-19T08:30:00Z", AMS_CORP),
        ("2026-11-20T09:00:00Z", PARIS),
        ("2026-11-20T14:00:00Z", PARIS),
    ]
    .into_iter()
    .enumerate()
    {
        let at = t(day) + Duration::seconds(i as i64);
        push(SignIn::new(at, &joiner, place, 0), &mut rows);
    }
    sort_by_key(&mut rows, "TimeGenerated");
    write_lines(&dir.join("SigninLogs-campaigns.ndjson"), &rows);
}
