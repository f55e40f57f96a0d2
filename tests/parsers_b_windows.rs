//! The Windows Security parsers (winlogbeat, NXLog, Sentinel SecurityEvent)
//! through the public JSON entry point, with hand-written records in the
//! shapes of the real samples in `shared/corpus/windows-security`.

use hunt::event::{Batch, Kind, Millis, Origin, Outcome, Source};
use hunt::ingest::time::parse_time;
use hunt::ingest::{parse_json_record, reason, Format, ParseResult, RecordCx, Reject};

/// Parses one record; returns the result and, for the draft if any,
/// (outcome, user, ip, result_code, app, client_app, time).
fn run(f: Format, raw: &str) -> (ParseResult, Option<(Outcome, [String; 5], Millis)>) {
    let mut b = Batch::default();
    let res = parse_json_record(f, raw, &mut RecordCx::new(&mut b, Origin::default()));
    let d = b.drafts.first().map(|d| {
        let t = |x| b.text.get(x).to_string();
        let f = [
            t(d.user),
            t(d.ip),
            t(d.result_code),
            t(d.app),
            t(d.client_app),
        ];
        assert_eq!((d.source, d.kind), (Source::Windows, Kind::SignIn));
        (d.outcome, f, d.time)
    });
    assert!(b.drafts.len() <= 1);
    (res, d)
}

fn fields(f: Format, raw: &str) -> (Outcome, [String; 5]) {
    let (res, d) = run(f, raw);
    assert_eq!(res, Ok(()), "{raw}");
    let (o, f, _) = d.expect("a draft");
    (o, f)
}

fn ignored(f: Format, raw: &str) -> &'static str {
    match run(f, raw) {
        (Err(Reject::Ignored(why)), None) => why,
        other => panic!("expected ignored, got {other:?}"),
    }
}

fn beat(id: &str, data: &str) -> String {
    format!(
        r#"{{"@timestamp":"2024-05-01T10:00:00.123Z","winlog":{{"event_id":{id},"computer_name":"DC01.corp.local","event_data":{{{data}}}}}}}"#
    )
}

#[test]
fn winlogbeat_failure_success_and_kerberos() {
    let f = beat(
        "4625",
        r#""TargetUserName":"Alice","TargetDomainName":"CORP","LogonType":"3","IpAddress":"::ffff:10.1.2.3","Status":"0xC000006D","SubStatus":"0xC000006A""#,
    );
    let (o, v) = fields(Format::Winlogbeat, &f);
    assert_eq!(o, Outcome::Failure);
    assert_eq!(
        v,
        [
            "alice",
            "10.1.2.3",
            "0xc000006a",
            "DC01.corp.local",
            "logon type 3"
        ]
    );
    let s = beat(
        "\"4624\"",
        r#""TargetUserName":"bob@corp.com","TargetDomainName":"CORP","LogonType":10,"IpAddress":"192.0.2.7""#,
    );
    let (o, v) = fields(Format::Winlogbeat, &s);
    assert_eq!(o, Outcome::Success);
    assert_eq!(v[0], "bob", "a UPN is keyed by its name");
    assert_eq!(v[2], "", "a success has no status");
    assert_eq!(v[4], "logon type 10");
    let k = beat(
        "4771",
        r#""TargetUserName":"svc-ata","IpAddress":"::ffff:10.23.123.11","Status":"0x18""#,
    );
    let (o, v) = fields(Format::Winlogbeat, &k);
    assert_eq!(o, Outcome::Failure);
    assert_eq!(&v[..3], ["svc-ata", "10.23.123.11", "0x18"]);
    assert_eq!(v[4], "", "4771 has no logon type");
    let (_, d) = run(Format::Winlogbeat, &f);
    assert_eq!(d.map(|d| d.2), parse_time("2024-05-01T10:00:00.123Z"));
}

#[test]
fn windows_rules_ignore_what_spec_says() {
    let b = |id: &str, data: &str| ignored(Format::Winlogbeat, &beat(id, data));
    assert_eq!(
        b(
            "4624",
            r#""TargetUserName":"bob","LogonType":"5","IpAddress":"1.2.3.4""#
        ),
        "Windows 4624 logon type not used"
    );
    assert_eq!(
        b(
            "4625",
            r#""TargetUserName":"WS01$","LogonType":"3","IpAddress":"1.2.3.4""#
        ),
        "Windows machine account"
    );
    for ip in [r#""IpAddress":"-","#, r#""IpAddress":"","#, ""] {
        let data = format!(r#"{ip}"TargetUserName":"bob","LogonType":"3""#);
        assert_eq!(b("4625", &data), "logon without network address");
    }
    assert_eq!(
        b("4648", r#""TargetUserName":"bob""#),
        "Windows event 4648 (explicit credentials) not used"
    );
    assert_eq!(b("1102", ""), "Windows event not used");
    assert_eq!(
        b(
            "4624",
            r#""TargetUserName":"ANONYMOUS LOGON","TargetDomainName":"NT AUTHORITY","LogonType":"3","IpAddress":"1.2.3.4""#
        ),
        "Windows anonymous logon"
    );
    assert_eq!(
        b("4776", r#""TargetUserName":"bob","Status":"0x0""#),
        "Windows 4776 credential validation succeeded"
    );
    // 4776 has no address: kept without one.
    let (o, v) = fields(
        Format::Winlogbeat,
        &beat("4776", r#""TargetUserName":"Bob","Status":"0xc0000064""#),
    );
    assert_eq!(
        (o, v[0].as_str(), v[1].as_str(), v[2].as_str()),
        (Outcome::Failure, "bob", "", "0xc0000064")
    );
    // An empty user with an address is kept (account restriction, SubStatus 0x0).
    let (_, v) = fields(
        Format::Winlogbeat,
        &beat(
            "4625",
            r#""TargetUserName":"-","TargetDomainName":"-","LogonType":"10","IpAddress":"10.23.23.9","Status":"0xc000006e","SubStatus":"0x0""#,
        ),
    );
    assert_eq!(&v[..3], ["", "10.23.23.9", "0xc000006e"]);
    // A "." domain is not a real one.
    let (_, v) = fields(
        Format::Winlogbeat,
        &beat(
            "4625",
            r#""TargetUserName":"Administrator","TargetDomainName":".","LogonType":"3","IpAddress":"192.168.198.149","SubStatus":"0xc0000064""#,
        ),
    );
    assert_eq!(v[0], "administrator");
}

#[test]
fn winlogbeat_bad_input_is_a_problem() {
    let p = |raw: &str| match run(Format::Winlogbeat, raw).0 {
        Err(Reject::Problem(r, _)) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!(p("{not json"), reason::MALFORMED_JSON);
    assert_eq!(
        p(r#"{"@timestamp":"2024-05-01T10:00:00Z"}"#),
        reason::UNKNOWN_SHAPE
    );
    assert_eq!(
        p(&beat("4625", "").replace("2024-05-01T10:00:00.123Z", "yesterday")),
        reason::BAD_TIME
    );
    match run(
        Format::Winlogbeat,
        r#"{"winlog":{"event_id":4625,"event_id":4624}}"#,
    )
    .0
    {
        Err(Reject::Problem(_, d)) => assert!(d.contains("duplicate field"), "{d}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn nxlog_prefers_utc_timestamp_and_falls_back_to_event_time() {
    let line = r#"{"@timestamp":"2020-10-22T08:29:55.210Z","EventTime":"2020-10-22 04:29:53","Hostname":"WORKSTATION5.theshire.local","TargetUserName":"pgustavo","TargetDomainName":"THESHIRE.LOCAL","IpAddress":"172.18.39.5","IpPort":"58179","LogonType":"3","EventID":4624,"host":"wec.internal.cloudapp.net"}"#;
    let (res, d) = run(Format::WindowsNxlog, line);
    assert_eq!(res, Ok(()));
    let (o, v, t) = d.unwrap();
    assert_eq!(o, Outcome::Success);
    assert_eq!(t, parse_time("2020-10-22T08:29:55.210Z").unwrap());
    assert_eq!(
        v,
        [
            "pgustavo",
            "172.18.39.5",
            "",
            "WORKSTATION5.theshire.local",
            "logon type 3"
        ]
    );
    let no_ts = line.replace(r#""@timestamp":"2020-10-22T08:29:55.210Z","#, "");
    assert_eq!(
        run(Format::WindowsNxlog, &no_ts).1.unwrap().2,
        parse_time("2020-10-22T04:29:53Z").unwrap()
    );
    let spray = r#"{"@timestamp":"2020-10-22T08:29:55.210Z","EventTime":"2020-10-22 04:29:53","WorkstationName":"WORKSTATION5","TargetUserName":"lrodriguez","TargetDomainName":"theshire.local","LogonType":"2","Status":"0xc000006d","SubStatus":"0xc000006a","EventID":4625,"IpAddress":"-","Hostname":"WORKSTATION5.theshire.local"}"#;
    assert_eq!(
        ignored(Format::WindowsNxlog, spray),
        "logon without network address"
    );
    let ntlm = r#"{"@timestamp":"2020-10-22T08:29:55.357Z","Workstation":"WORKSTATION5","EventTime":"2020-10-22 04:29:53","Status":"0xc000006a","EventID":4776,"TargetUserName":"lrodriguez","Hostname":"MORDORDC.theshire.local","PackageName":"MICROSOFT_AUTHENTICATION_PACKAGE_V1_0"}"#;
    let (o, v) = fields(Format::WindowsNxlog, ntlm);
    assert_eq!(
        (o, v[0].as_str(), v[3].as_str()),
        (Outcome::Failure, "lrodriguez", "MORDORDC.theshire.local")
    );
}

#[test]
fn sentinel_columns_and_event_data_xml() {
    let row = r#"{"TimeGenerated":"2021-08-02T13:06:38.33Z","Computer":"DC01.simulandlabs.com","EventID":4624,"Account":"SIMULANDLABS.COM\\wardog","IpAddress":"192.168.2.5","LogonType":3,"TargetDomainName":"SIMULANDLABS.COM","TargetUserName":"wardog","Type":"SecurityEvent"}"#;
    let (o, v) = fields(Format::SentinelSecurityEvent, row);
    assert_eq!(o, Outcome::Success);
    assert_eq!(
        v,
        [
            "wardog",
            "192.168.2.5",
            "",
            "DC01.simulandlabs.com",
            "logon type 3"
        ]
    );
    let xml = r#"{"TimeGenerated":"2021-08-02T13:06:38Z","Computer":"FS01","EventID":4625,"EventData":"<EventData xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">\r\n  <Data Name=\"TargetUserName\">o&amp;brien</Data>\r\n  <Data Name=\"TargetDomainName\">CORP</Data>\r\n  <Data Name=\"Status\">0xc000006d</Data>\r\n  <Data Name=\"SubStatus\">0xc0000064</Data>\r\n  <Data Name=\"LogonType\">3</Data>\r\n  <Data Name=\"WorkstationName\" />\r\n  <Data Name=\"IpAddress\">203.0.113.9</Data>\r\n</EventData>"}"#;
    let (o, v) = fields(Format::SentinelSecurityEvent, xml);
    assert_eq!(o, Outcome::Failure);
    assert_eq!(
        v,
        [
            "o&brien",
            "203.0.113.9",
            "0xc0000064",
            "FS01",
            "logon type 3"
        ]
    );
    let acct = r#"{"TimeGenerated":"2021-08-02T13:06:38Z","EventID":4625,"TargetAccount":"CORP\\eve","IpAddress":"198.51.100.1","LogonType":"3","Status":"3221225578"}"#;
    let (_, v) = fields(Format::SentinelSecurityEvent, acct);
    assert_eq!((v[0].as_str(), v[2].as_str()), ("eve", "0xc000006a"));
    let other = r#"{"TimeGenerated":"2021-08-02T13:06:38Z","EventID":5156,"Computer":"x"}"#;
    assert_eq!(
        ignored(Format::SentinelSecurityEvent, other),
        "Windows event not used"
    );
}

/// Kerbrute's user enumeration: TGT requests for names that do not exist.
const TGT_DATA: &str = r#""TargetUserName":"Admin","TargetDomainName":"OFFSEC.LAN","TargetSid":"S-1-0-0","ServiceName":"krbtgt/OFFSEC.LAN","ServiceSid":"S-1-0-0","TicketOptions":"0x40810010","Status":"0x6","TicketEncryptionType":"0xffffffff","PreAuthType":"-","IpAddress":"::ffff:10.23.123.11","IpPort":"52722""#;

#[test]
fn kerberos_tgt_refusals_are_failures_for_the_name_tried() {
    let nx = format!(
        r#"{{"@timestamp":"2021-05-22T09:10:11.000Z","EventTime":"2021-05-22 11:10:11","Hostname":"rootdc1.offsec.lan","EventID":4768,{TGT_DATA}}}"#
    );
    let se = format!(
        r#"{{"TimeGenerated":"2021-05-22T09:10:11Z","Computer":"rootdc1.offsec.lan","EventID":4768,{TGT_DATA},"Type":"SecurityEvent"}}"#
    );
    for (f, raw) in [
        (Format::Winlogbeat, beat("4768", TGT_DATA)),
        (Format::WindowsNxlog, nx),
        (Format::SentinelSecurityEvent, se),
    ] {
        let (o, v) = fields(f, &raw);
        assert_eq!(o, Outcome::Failure, "{raw}");
        assert_eq!(v[..3], ["admin", "10.23.123.11", "0x6"], "{raw}");
        assert_eq!(v[4], "", "4768 has no logon type");
        // Disabled/revoked (0x12), expired (0x17) and bad password (0x18) too.
        for code in ["0x12", "0x17", "0x18", "0x00000018"] {
            let other = raw.replace(r#""Status":"0x6""#, &format!(r#""Status":"{code}""#));
            let (o, v) = fields(f, &other);
            assert_eq!(o, Outcome::Failure, "{other}");
            assert_eq!(v[2], code.replace("0x000000", "0x"));
        }
        // A TGT issued is not a sign-in (its 4624 is); protocol errors are not credentials.
        let issued = raw.replace(r#""Status":"0x6""#, r#""Status":"0x0""#);
        assert_eq!(
            ignored(f, &issued),
            "Windows 4768 TGT issued (the logon's 4624 is the sign-in)"
        );
        for code in ["0x25", "0xe", "", "-"] {
            let other = raw.replace(r#""Status":"0x6""#, &format!(r#""Status":"{code}""#));
            assert_eq!(
                ignored(f, &other),
                "Windows 4768 Kerberos error not about the account or password",
                "{other}"
            );
        }
        // A machine account's TGT is not a user's.
        let machine = raw.replace(r#""TargetUserName":"Admin""#, r#""TargetUserName":"WS01$""#);
        assert_eq!(ignored(f, &machine), "Windows machine account");
    }
}

/// An NXLog 4625 without `@timestamp` and `EventTime` is timed by
/// `EventReceivedTime`, and is still recognised as NXLog from its keys.
#[test]
fn nxlog_without_event_time_takes_the_received_time() {
    let line = r#"{"EventReceivedTime":"2020-10-22 04:29:56","SourceModuleName":"eventlog","Hostname":"WORKSTATION5.theshire.local","TargetUserName":"pgustavo","TargetDomainName":"THESHIRE","IpAddress":"172.18.39.5","LogonType":"3","Status":"0xc000006d","SubStatus":"0xc000006a","EventID":4625}"#;
    assert_eq!(
        hunt::ingest::sniff::classify_record(line),
        Some(Format::WindowsNxlog)
    );
    let (res, d) = run(Format::WindowsNxlog, line);
    assert_eq!(res, Ok(()));
    let (o, v, t) = d.unwrap();
    assert_eq!((o, v[1].as_str()), (Outcome::Failure, "172.18.39.5"));
    assert_eq!(t, parse_time("2020-10-22T04:29:56Z").unwrap());
    // EventTime, when present, still wins over the received time.
    let both = line.replace(
        r#""EventReceivedTime""#,
        r#""EventTime":"2020-10-22 04:29:53","EventReceivedTime""#,
    );
    assert_eq!(
        run(Format::WindowsNxlog, &both).1.unwrap().2,
        parse_time("2020-10-22T04:29:53Z").unwrap()
    );
}

/// One person, one name: a Kerberos 4768 names the account with its realm
/// (in TargetUserName or as TargetDomainName), its 4771 and the NTLM 4776
/// without, a 4625 with the NetBIOS domain: every one is user `alice`, and
/// the account as written stays with the event.
#[test]
fn one_account_one_name_across_windows_events() {
    let recs = [
        (
            Format::Winlogbeat,
            beat(
                "4768",
                r#""TargetUserName":"alice@CORP.EXAMPLE.COM","IpAddress":"::ffff:10.0.0.5","Status":"0x18""#,
            ),
            Some("alice@CORP.EXAMPLE.COM"),
        ),
        (
            Format::Winlogbeat,
            beat(
                "4768",
                r#""TargetUserName":"Alice","TargetDomainName":"CORP.EXAMPLE.COM","IpAddress":"10.0.0.5","Status":"0x12""#,
            ),
            Some("CORP.EXAMPLE.COM\\Alice"),
        ),
        (
            Format::Winlogbeat,
            beat(
                "4771",
                r#""TargetUserName":"alice","IpAddress":"::ffff:10.0.0.5","Status":"0x18""#,
            ),
            None,
        ),
        (
            Format::WindowsNxlog,
            r#"{"EventTime":"2024-05-01 10:00:03","EventID":4625,"Hostname":"WS1","TargetUserName":"ALICE","TargetDomainName":"CORP","LogonType":"3","IpAddress":"10.0.0.5","Status":"0xc000006d","SubStatus":"0xc000006a"}"#.to_string(),
            Some("CORP\\ALICE"),
        ),
        (
            Format::WindowsNxlog,
            r#"{"EventTime":"2024-05-01 10:00:04","EventID":4776,"Hostname":"DC01","TargetUserName":"alice","Status":"0xc000006a"}"#.to_string(),
            None,
        ),
    ];
    for (f, raw, written) in &recs {
        let mut b = Batch::default();
        let res = parse_json_record(*f, raw, &mut RecordCx::new(&mut b, Origin::default()));
        assert_eq!(res, Ok(()), "{raw}");
        let d = &b.drafts[0];
        assert_eq!(b.text.get(d.user), "alice", "{raw}");
        let kept = hunt::event::extra_value(b.text.get(d.extra), hunt::event::extra::ACCOUNT);
        assert_eq!(kept, *written, "{raw}");
    }
    // A machine account keeps its `$` and stays out, realm or not.
    let machine = beat(
        "4771",
        r#""TargetUserName":"WS1$@CORP.EXAMPLE.COM","IpAddress":"10.0.0.5","Status":"0x18""#,
    );
    assert_eq!(
        ignored(Format::Winlogbeat, &machine),
        "Windows machine account"
    );
}
