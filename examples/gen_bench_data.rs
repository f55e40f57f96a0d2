//! Generates Sentinel `SigninLogs` NDJSON for benchmarks (not committed):
//! `cargo run --release --example gen_bench_data -- [SIZE_MB] [OUT]`
//! (default 1100 MB into bench-data/signins.ndjson).
//!
//! Rows carry the columns a real Log Analytics export has (~2.1 KB each):
//! authentication details, conditional-access results, device and location
//! objects, some written as JSON text the way `az monitor log-analytics
//! query` prints them. 50,000 users at 400 offices; 4% failures; a password
//! spray and a credential-stuffing burst every simulated hour, so the
//! detectors do real work.

use std::fmt::Write as _;
use std::io::{BufWriter, Write};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const APPS: [&str; 6] = [
    "Office 365 Exchange Online",
    "Microsoft Teams",
    "Office 365 SharePoint Online",
    "Azure Portal",
    "Microsoft Authenticator App",
    "OfficeHome",
];
const CITIES: [(&str, &str, f64, f64); 8] = [
    ("NL", "Amsterdam", 52.37, 4.90),
    ("US", "New York", 40.71, -74.0),
    ("GB", "London", 51.51, -0.13),
    ("DE", "Berlin", 52.52, 13.40),
    ("FR", "Paris", 48.86, 2.35),
    ("JP", "Tokyo", 35.68, 139.65),
    ("BR", "Sao Paulo", -23.55, -46.63),
    ("IN", "Mumbai", 19.08, 72.88),
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mb: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1100);
    let out = args
        .get(2)
        .cloned()
        .unwrap_or_else(|| "bench-data/signins.ndjson".into());
    if let Some(dir) = std::path::Path::new(&out).parent() {
        std::fs::create_dir_all(dir).expect("create output folder");
    }
    let file = std::fs::File::create(&out).expect("create output");
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let mut rng = Rng(0xbe7c_4da7_a5ee_d001);
    let target = mb * 1024 * 1024;
    let mut written = 0u64;
    let mut t_ms: i64 = 1_763_000_000_000; // 2025-11-13
    let mut row = String::with_capacity(4096);
    let mut n = 0u64;
    while written < target {
        n += 1;
        t_ms += 40 + rng.below(80) as i64;
        let user_id = rng.below(50_000);
        let office = user_id % 400;
        let (cc, city, lat, lon) = CITIES[(office % CITIES.len() as u64) as usize];
        let mut ip = format!(
            "{}.{}.{}.{}",
            20 + office % 180,
            office % 250,
            (user_id / 250) % 250,
            1 + user_id % 250
        );
        let mut user = format!("user{user_id}@contoso.com");
        let mut code = if rng.below(25) == 0 { "50126" } else { "0" };
        // Every simulated hour: a spray from one hosting IP over 30 users.
        let hour_pos = (t_ms / 1000) % 3600;
        if hour_pos < 60 && rng.below(2) == 0 {
            ip = format!("45.83.64.{}", (t_ms / 3_600_000) % 250);
            user = format!("user{}@contoso.com", rng.below(30));
            code = "50126";
        }
        // …and a stuffing burst against one user.
        if (120..150).contains(&hour_pos) {
            user = format!("user{}@contoso.com", (t_ms / 3_600_000) % 50_000);
            ip = format!("175.45.176.{}", rng.below(200));
            code = if hour_pos > 145 { "0" } else { "50126" };
        }
        let app = APPS[rng.below(APPS.len() as u64) as usize];
        let as_text = n.is_multiple_of(3);
        let secs = t_ms / 1000;
        let ms = t_ms % 1000;
        let time = chrono::DateTime::from_timestamp(secs, (ms * 1_000_000) as u32)
            .map(|d| d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
            .unwrap_or_default();
        let loc = format!(
            r#"{{"city":"{city}","state":"","countryOrRegion":"{cc}","geoCoordinates":{{"altitude":null,"latitude":{lat},"longitude":{lon}}}}}"#
        );
        let device = r#"{"deviceId":"","operatingSystem":"Windows 10","browser":"Edge 124.0.0","isCompliant":false,"isManaged":false,"trustType":""}"#;
        let status = format!(
            r#"{{"errorCode":{code},"failureReason":"{}"}}"#,
            if code == "0" {
                "Other."
            } else {
                "Invalid username or password or Invalid on-premise username or password."
            }
        );
        let auth_details = r#"[{"authenticationStepDateTime":"2025-11-13T08:00:00Z","authenticationMethod":"Password","authenticationMethodDetail":"Password Hash Sync","succeeded":true,"authenticationStepResultDetail":"Correct password","authenticationStepRequirement":"Primary authentication"}]"#;
        let ca = r#"[{"id":"0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e","displayName":"Require MFA for all users","enforcedGrantControls":["Mfa"],"enforcedSessionControls":[],"result":"success"}]"#;
        let q = |s: &str| {
            if as_text {
                serde_json::to_string(s).unwrap_or_default()
            } else {
                s.to_string()
            }
        };
        row.clear();
        let _ = write!(
            row,
            r#"{{"TenantId":"6f7a3c1e-2b4d-4e8f-9a0b-1c2d3e4f5a6b","SourceSystem":"Azure AD","TimeGenerated":"{time}","ResourceId":"/tenants/6f7a3c1e-2b4d-4e8f-9a0b-1c2d3e4f5a6b/providers/Microsoft.aadiam","OperationName":"Sign-in activity","OperationVersion":"1.0","Category":"SignInLogs","ResultType":"{code}","ResultSignature":"None","ResultDescription":"{}","DurationMs":0,"CorrelationId":"{:08x}-1111-4222-8333-{:012x}","Resource":"Microsoft.aadiam","ResourceGroup":"Microsoft.aadiam","Identity":"User {user_id}","Level":4,"Location":"{cc}","AppDisplayName":"{app}","AppId":"00000002-0000-0ff1-ce00-000000000000","AuthenticationDetails":{},"AuthenticationMethodsUsed":"[]","AuthenticationRequirement":"multiFactorAuthentication","AuthenticationRequirementPolicies":"[]","ClientAppUsed":"Browser","ConditionalAccessPolicies":{},"ConditionalAccessStatus":"success","DeviceDetail":{},"IsInteractive":true,"IPAddress":"{ip}","LocationDetails":{},"RiskDetail":"none","RiskEventTypes":"[]","RiskEventTypes_V2":"[]","RiskLevelAggregated":"none","RiskLevelDuringSignIn":"none","RiskState":"none","Status":{},"TokenIssuerType":"AzureAD","UserAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0","UserDisplayName":"User {user_id}","UserId":"{:08x}-aaaa-4bbb-8ccc-{:012x}","UserPrincipalName":"{user}","AADTenantId":"6f7a3c1e-2b4d-4e8f-9a0b-1c2d3e4f5a6b","UserType":"Member","AutonomousSystemNumber":{},"HomeTenantId":"6f7a3c1e-2b4d-4e8f-9a0b-1c2d3e4f5a6b","ResourceTenantId":"6f7a3c1e-2b4d-4e8f-9a0b-1c2d3e4f5a6b","SessionId":"{:08x}-5e55-4ion-9d1d-{:012x}","UniqueTokenIdentifier":"{:016x}","Type":"SigninLogs"}}"#,
            if code == "0" {
                ""
            } else {
                "Invalid username or password or Invalid on-premise username or password."
            },
            n,
            n * 31,
            q(auth_details),
            q(ca),
            q(device),
            q(&loc),
            q(&status),
            1000 + office,
            user_id,
            user_id * 7,
            user_id,
            t_ms / 600_000,
            n ^ 0x5deece66d,
        );
        row.push('\n');
        w.write_all(row.as_bytes()).expect("write");
        written += row.len() as u64;
    }
    w.flush().expect("flush");
    eprintln!(
        "wrote {n} rows, {} MB, {:.0} bytes/row, to {out}",
        written / (1024 * 1024),
        written as f64 / n as f64
    );
}
