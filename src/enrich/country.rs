//! ISO 3166-1 countries: codes, English names and their common spellings,
//! and an approximate centre for the world map. One static table, looked up
//! without allocating: alpha-2 codes by binary search on the code, names by
//! binary search on a folded form (lower case, accents and punctuation
//! removed, a leading "The" dropped). Knows nothing about IPs or GeoIP
//! databases (that is the GeoIP enricher's job) and never guesses: an
//! unknown spelling is `None`.
//!
//! `XK` (Kosovo) is not in ISO 3166-1 but is the user-assigned code that
//! MaxMind, Okta and Microsoft use, so it is accepted too. Centres are the
//! rounded country centroids of Google's public-data `countries.csv`
//! (capitals or island centres where it had none); they are for drawing and
//! for a last-resort distance, never for precise geolocation.

/// One country: upper-case alpha-2 code, English short name, approximate centre.
struct Country {
    code: &'static str,
    name: &'static str,
    lat: f32,
    lon: f32,
}

const fn c(code: &'static str, name: &'static str, lat: f32, lon: f32) -> Country {
    Country {
        code,
        name,
        lat,
        lon,
    }
}

/// Longest folded name we look up; longer input cannot be a country.
const MAX_NAME: usize = 96;

/// Maps an alpha-2 code (any case; it must exist) or an English country name
/// or common alternate spelling (any case, accents optional) to the
/// upper-case alpha-2 code.
pub fn to_alpha2(s: &str) -> Option<&'static str> {
    let s = s.trim();
    if let &[a, b] = s.as_bytes() {
        if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() {
            if let Some(c) = find(&[a.to_ascii_uppercase(), b.to_ascii_uppercase()]) {
                return Some(c.code);
            }
            // "UK" is not an ISO code but is a common spelling: fall through to names.
        }
    }
    let mut buf = [0u8; MAX_NAME];
    let key = fold(s, &mut buf)?;
    let i = NAMES
        .binary_search_by(|(k, _)| k.as_bytes().cmp(key))
        .ok()?;
    NAMES.get(i).map(|&(_, code)| code)
}

/// The English short name of an alpha-2 code (any case).
pub fn name(alpha2: &str) -> Option<&'static str> {
    by_code(alpha2).map(|c| c.name)
}

/// The approximate centre (latitude, longitude in degrees) of an alpha-2 code (any case).
pub fn centroid(alpha2: &str) -> Option<(f32, f32)> {
    by_code(alpha2).map(|c| (c.lat, c.lon))
}

fn by_code(alpha2: &str) -> Option<&'static Country> {
    let &[a, b] = alpha2.trim().as_bytes() else {
        return None;
    };
    find(&[a.to_ascii_uppercase(), b.to_ascii_uppercase()])
}

/// The country of an upper-case alpha-2 code.
fn find(code: &[u8; 2]) -> Option<&'static Country> {
    let i = COUNTRIES
        .binary_search_by(|c| c.code.as_bytes().cmp(code.as_slice()))
        .ok()?;
    COUNTRIES.get(i)
}

/// Folds a name into `buf`: ASCII lower case, accents removed, apostrophes
/// dropped, `&` spelled "and", any other punctuation a single space, and a
/// leading "the " or trailing " the" removed. `None` when it does not fit.
fn fold<'b>(s: &str, buf: &'b mut [u8; MAX_NAME]) -> Option<&'b [u8]> {
    let mut n = 0usize;
    let mut space = true; // suppresses leading and repeated spaces
    let mut push = |bytes: &[u8], buf: &mut [u8; MAX_NAME], space: &mut bool| -> Option<()> {
        for &b in bytes {
            if b == b' ' {
                if *space {
                    continue;
                }
                *space = true;
            } else {
                *space = false;
            }
            *buf.get_mut(n)? = b;
            n += 1;
        }
        Some(())
    };
    for ch in s.chars() {
        let lower = if ch.is_ascii() {
            ch.to_ascii_lowercase()
        } else {
            let mut l = ch.to_lowercase();
            match (l.next(), l.next()) {
                (Some(x), None) => x,
                _ => ' ',
            }
        };
        match lower {
            'a'..='z' | '0'..='9' => push(&[lower as u8], buf, &mut space)?,
            '\'' | '`' | '\u{2019}' | '\u{2018}' | '\u{b4}' => {}
            '&' => push(b" and ", buf, &mut space)?,
            'æ' => push(b"ae", buf, &mut space)?,
            'ß' => push(b"ss", buf, &mut space)?,
            c if !c.is_ascii() => match fold_accent(c) {
                Some(a) => push(&[a], buf, &mut space)?,
                None => push(b" ", buf, &mut space)?,
            },
            _ => push(b" ", buf, &mut space)?,
        }
    }
    let mut out = buf.get(..n)?;
    if let Some(rest) = out.strip_suffix(b" ") {
        out = rest;
    }
    if let Some(rest) = out.strip_prefix(b"the ") {
        out = rest;
    }
    if let Some(rest) = out.strip_suffix(b" the") {
        out = rest;
    }
    Some(out)
}

/// The base letter of a lower-case accented Latin letter.
fn fold_accent(c: char) -> Option<u8> {
    const MAP: [(&str, u8); 16] = [
        ("àáâãäåāăą", b'a'),
        ("çćčĉċ", b'c'),
        ("ďđ", b'd'),
        ("èéêëēėęě", b'e'),
        ("ğĝġģ", b'g'),
        ("ìíîïīįı", b'i'),
        ("ķ", b'k'),
        ("ĺļľł", b'l'),
        ("ñńņň", b'n'),
        ("òóôõöøōő", b'o'),
        ("ŕř", b'r'),
        ("śşšș", b's'),
        ("ťţț", b't'),
        ("ùúûüūůűų", b'u'),
        ("ýÿ", b'y'),
        ("źżž", b'z'),
    ];
    MAP.iter().find(|(set, _)| set.contains(c)).map(|&(_, b)| b)
}

#[rustfmt::skip]
static COUNTRIES: [Country; 250] = [
    c("AD", "Andorra", 42.5, 1.6),
    c("AE", "United Arab Emirates", 23.4, 53.8),
    c("AF", "Afghanistan", 33.9, 67.7),
    c("AG", "Antigua and Barbuda", 17.1, -61.8),
    c("AI", "Anguilla", 18.2, -63.1),
    c("AL", "Albania", 41.2, 20.2),
    c("AM", "Armenia", 40.1, 45.0),
    c("AO", "Angola", -11.2, 17.9),
    c("AQ", "Antarctica", -75.3, -0.1),
    c("AR", "Argentina", -38.4, -63.6),
    c("AS", "American Samoa", -14.3, -170.1),
    c("AT", "Austria", 47.5, 14.6),
    c("AU", "Australia", -25.3, 133.8),
    c("AW", "Aruba", 12.5, -70.0),
    c("AX", "Åland Islands", 60.2, 19.9),
    c("AZ", "Azerbaijan", 40.1, 47.6),
    c("BA", "Bosnia and Herzegovina", 43.9, 17.7),
    c("BB", "Barbados", 13.2, -59.5),
    c("BD", "Bangladesh", 23.7, 90.4),
    c("BE", "Belgium", 50.5, 4.5),
    c("BF", "Burkina Faso", 12.2, -1.6),
    c("BG", "Bulgaria", 42.7, 25.5),
    c("BH", "Bahrain", 25.9, 50.6),
    c("BI", "Burundi", -3.4, 29.9),
    c("BJ", "Benin", 9.3, 2.3),
    c("BL", "Saint Barthélemy", 17.9, -62.8),
    c("BM", "Bermuda", 32.3, -64.8),
    c("BN", "Brunei", 4.5, 114.7),
    c("BO", "Bolivia", -16.3, -63.6),
    c("BQ", "Caribbean Netherlands", 12.2, -68.3),
    c("BR", "Brazil", -14.2, -51.9),
    c("BS", "Bahamas", 25.0, -77.4),
    c("BT", "Bhutan", 27.5, 90.4),
    c("BV", "Bouvet Island", -54.4, 3.4),
    c("BW", "Botswana", -22.3, 24.7),
    c("BY", "Belarus", 53.7, 28.0),
    c("BZ", "Belize", 17.2, -88.5),
    c("CA", "Canada", 56.1, -106.3),
    c("CC", "Cocos (Keeling) Islands", -12.2, 96.9),
    c("CD", "DR Congo", -4.0, 21.8),
    c("CF", "Central African Republic", 6.6, 20.9),
    c("CG", "Congo", -0.2, 15.8),
    c("CH", "Switzerland", 46.8, 8.2),
    c("CI", "Côte d'Ivoire", 7.5, -5.5),
    c("CK", "Cook Islands", -21.2, -159.8),
    c("CL", "Chile", -35.7, -71.5),
    c("CM", "Cameroon", 7.4, 12.4),
    c("CN", "China", 35.9, 104.2),
    c("CO", "Colombia", 4.6, -74.3),
    c("CR", "Costa Rica", 9.7, -83.8),
    c("CU", "Cuba", 21.5, -77.8),
    c("CV", "Cabo Verde", 16.0, -24.0),
    c("CW", "Curaçao", 12.2, -69.0),
    c("CX", "Christmas Island", -10.4, 105.7),
    c("CY", "Cyprus", 35.1, 33.4),
    c("CZ", "Czechia", 49.8, 15.5),
    c("DE", "Germany", 51.2, 10.5),
    c("DJ", "Djibouti", 11.8, 42.6),
    c("DK", "Denmark", 56.3, 9.5),
    c("DM", "Dominica", 15.4, -61.4),
    c("DO", "Dominican Republic", 18.7, -70.2),
    c("DZ", "Algeria", 28.0, 1.7),
    c("EC", "Ecuador", -1.8, -78.2),
    c("EE", "Estonia", 58.6, 25.0),
    c("EG", "Egypt", 26.8, 30.8),
    c("EH", "Western Sahara", 24.2, -12.9),
    c("ER", "Eritrea", 15.2, 39.8),
    c("ES", "Spain", 40.5, -3.7),
    c("ET", "Ethiopia", 9.1, 40.5),
    c("FI", "Finland", 61.9, 25.7),
    c("FJ", "Fiji", -16.6, 179.4),
    c("FK", "Falkland Islands", -51.8, -59.5),
    c("FM", "Micronesia", 7.4, 150.6),
    c("FO", "Faroe Islands", 61.9, -6.9),
    c("FR", "France", 46.2, 2.2),
    c("GA", "Gabon", -0.8, 11.6),
    c("GB", "United Kingdom", 55.4, -3.4),
    c("GD", "Grenada", 12.3, -61.6),
    c("GE", "Georgia", 42.3, 43.4),
    c("GF", "French Guiana", 3.9, -53.1),
    c("GG", "Guernsey", 49.5, -2.6),
    c("GH", "Ghana", 7.9, -1.0),
    c("GI", "Gibraltar", 36.1, -5.3),
    c("GL", "Greenland", 71.7, -42.6),
    c("GM", "Gambia", 13.4, -15.3),
    c("GN", "Guinea", 9.9, -9.7),
    c("GP", "Guadeloupe", 17.0, -62.1),
    c("GQ", "Equatorial Guinea", 1.7, 10.3),
    c("GR", "Greece", 39.1, 21.8),
    c("GS", "South Georgia and the South Sandwich Islands", -54.4, -36.6),
    c("GT", "Guatemala", 15.8, -90.2),
    c("GU", "Guam", 13.4, 144.8),
    c("GW", "Guinea-Bissau", 11.8, -15.2),
    c("GY", "Guyana", 4.9, -58.9),
    c("HK", "Hong Kong", 22.4, 114.1),
    c("HM", "Heard Island and McDonald Islands", -53.1, 73.5),
    c("HN", "Honduras", 15.2, -86.2),
    c("HR", "Croatia", 45.1, 15.2),
    c("HT", "Haiti", 19.0, -72.3),
    c("HU", "Hungary", 47.2, 19.5),
    c("ID", "Indonesia", -0.8, 113.9),
    c("IE", "Ireland", 53.4, -8.2),
    c("IL", "Israel", 31.0, 34.9),
    c("IM", "Isle of Man", 54.2, -4.5),
    c("IN", "India", 20.6, 79.0),
    c("IO", "British Indian Ocean Territory", -6.3, 71.9),
    c("IQ", "Iraq", 33.2, 43.7),
    c("IR", "Iran", 32.4, 53.7),
    c("IS", "Iceland", 65.0, -19.0),
    c("IT", "Italy", 41.9, 12.6),
    c("JE", "Jersey", 49.2, -2.1),
    c("JM", "Jamaica", 18.1, -77.3),
    c("JO", "Jordan", 30.6, 36.2),
    c("JP", "Japan", 36.2, 138.3),
    c("KE", "Kenya", 0.0, 37.9),
    c("KG", "Kyrgyzstan", 41.2, 74.8),
    c("KH", "Cambodia", 12.6, 105.0),
    c("KI", "Kiribati", -3.4, -168.7),
    c("KM", "Comoros", -11.9, 43.9),
    c("KN", "Saint Kitts and Nevis", 17.4, -62.8),
    c("KP", "North Korea", 40.3, 127.5),
    c("KR", "South Korea", 35.9, 127.8),
    c("KW", "Kuwait", 29.3, 47.5),
    c("KY", "Cayman Islands", 19.5, -80.6),
    c("KZ", "Kazakhstan", 48.0, 66.9),
    c("LA", "Laos", 19.9, 102.5),
    c("LB", "Lebanon", 33.9, 35.9),
    c("LC", "Saint Lucia", 13.9, -61.0),
    c("LI", "Liechtenstein", 47.2, 9.6),
    c("LK", "Sri Lanka", 7.9, 80.8),
    c("LR", "Liberia", 6.4, -9.4),
    c("LS", "Lesotho", -29.6, 28.2),
    c("LT", "Lithuania", 55.2, 23.9),
    c("LU", "Luxembourg", 49.8, 6.1),
    c("LV", "Latvia", 56.9, 24.6),
    c("LY", "Libya", 26.3, 17.2),
    c("MA", "Morocco", 31.8, -7.1),
    c("MC", "Monaco", 43.8, 7.4),
    c("MD", "Moldova", 47.4, 28.4),
    c("ME", "Montenegro", 42.7, 19.4),
    c("MF", "Saint Martin", 18.1, -63.1),
    c("MG", "Madagascar", -18.8, 46.9),
    c("MH", "Marshall Islands", 7.1, 171.2),
    c("MK", "North Macedonia", 41.6, 21.7),
    c("ML", "Mali", 17.6, -4.0),
    c("MM", "Myanmar", 21.9, 96.0),
    c("MN", "Mongolia", 46.9, 103.8),
    c("MO", "Macao", 22.2, 113.5),
    c("MP", "Northern Mariana Islands", 17.3, 145.4),
    c("MQ", "Martinique", 14.6, -61.0),
    c("MR", "Mauritania", 21.0, -10.9),
    c("MS", "Montserrat", 16.7, -62.2),
    c("MT", "Malta", 35.9, 14.4),
    c("MU", "Mauritius", -20.3, 57.6),
    c("MV", "Maldives", 3.2, 73.2),
    c("MW", "Malawi", -13.3, 34.3),
    c("MX", "Mexico", 23.6, -102.6),
    c("MY", "Malaysia", 4.2, 102.0),
    c("MZ", "Mozambique", -18.7, 35.5),
    c("NA", "Namibia", -23.0, 18.5),
    c("NC", "New Caledonia", -20.9, 165.6),
    c("NE", "Niger", 17.6, 8.1),
    c("NF", "Norfolk Island", -29.0, 168.0),
    c("NG", "Nigeria", 9.1, 8.7),
    c("NI", "Nicaragua", 12.9, -85.2),
    c("NL", "Netherlands", 52.1, 5.3),
    c("NO", "Norway", 60.5, 8.5),
    c("NP", "Nepal", 28.4, 84.1),
    c("NR", "Nauru", -0.5, 166.9),
    c("NU", "Niue", -19.1, -169.9),
    c("NZ", "New Zealand", -40.9, 174.9),
    c("OM", "Oman", 21.5, 55.9),
    c("PA", "Panama", 8.5, -80.8),
    c("PE", "Peru", -9.2, -75.0),
    c("PF", "French Polynesia", -17.7, -149.4),
    c("PG", "Papua New Guinea", -6.3, 144.0),
    c("PH", "Philippines", 12.9, 121.8),
    c("PK", "Pakistan", 30.4, 69.3),
    c("PL", "Poland", 51.9, 19.1),
    c("PM", "Saint Pierre and Miquelon", 46.9, -56.3),
    c("PN", "Pitcairn", -24.7, -127.4),
    c("PR", "Puerto Rico", 18.2, -66.6),
    c("PS", "Palestine", 32.0, 35.2),
    c("PT", "Portugal", 39.4, -8.2),
    c("PW", "Palau", 7.5, 134.6),
    c("PY", "Paraguay", -23.4, -58.4),
    c("QA", "Qatar", 25.4, 51.2),
    c("RE", "Réunion", -21.1, 55.5),
    c("RO", "Romania", 45.9, 25.0),
    c("RS", "Serbia", 44.0, 21.0),
    c("RU", "Russia", 61.5, 105.3),
    c("RW", "Rwanda", -1.9, 29.9),
    c("SA", "Saudi Arabia", 23.9, 45.1),
    c("SB", "Solomon Islands", -9.6, 160.2),
    c("SC", "Seychelles", -4.7, 55.5),
    c("SD", "Sudan", 12.9, 30.2),
    c("SE", "Sweden", 60.1, 18.6),
    c("SG", "Singapore", 1.4, 103.8),
    c("SH", "Saint Helena, Ascension and Tristan da Cunha", -24.1, -10.0),
    c("SI", "Slovenia", 46.2, 15.0),
    c("SJ", "Svalbard and Jan Mayen", 77.6, 23.7),
    c("SK", "Slovakia", 48.7, 19.7),
    c("SL", "Sierra Leone", 8.5, -11.8),
    c("SM", "San Marino", 43.9, 12.5),
    c("SN", "Senegal", 14.5, -14.5),
    c("SO", "Somalia", 5.2, 46.2),
    c("SR", "Suriname", 3.9, -56.0),
    c("SS", "South Sudan", 7.9, 30.0),
    c("ST", "Sao Tome and Principe", 0.2, 6.6),
    c("SV", "El Salvador", 13.8, -88.9),
    c("SX", "Sint Maarten", 18.0, -63.1),
    c("SY", "Syria", 34.8, 39.0),
    c("SZ", "Eswatini", -26.5, 31.5),
    c("TC", "Turks and Caicos Islands", 21.7, -71.8),
    c("TD", "Chad", 15.5, 18.7),
    c("TF", "French Southern Territories", -49.3, 69.3),
    c("TG", "Togo", 8.6, 0.8),
    c("TH", "Thailand", 15.9, 101.0),
    c("TJ", "Tajikistan", 38.9, 71.3),
    c("TK", "Tokelau", -9.0, -171.9),
    c("TL", "Timor-Leste", -8.9, 125.7),
    c("TM", "Turkmenistan", 39.0, 59.6),
    c("TN", "Tunisia", 33.9, 9.5),
    c("TO", "Tonga", -21.2, -175.2),
    c("TR", "Türkiye", 39.0, 35.2),
    c("TT", "Trinidad and Tobago", 10.7, -61.2),
    c("TV", "Tuvalu", -7.1, 177.6),
    c("TW", "Taiwan", 23.7, 121.0),
    c("TZ", "Tanzania", -6.4, 34.9),
    c("UA", "Ukraine", 48.4, 31.2),
    c("UG", "Uganda", 1.4, 32.3),
    c("UM", "United States Minor Outlying Islands", 19.3, 166.6),
    c("US", "United States", 37.1, -95.7),
    c("UY", "Uruguay", -32.5, -55.8),
    c("UZ", "Uzbekistan", 41.4, 64.6),
    c("VA", "Holy See", 41.9, 12.5),
    c("VC", "Saint Vincent and the Grenadines", 13.0, -61.3),
    c("VE", "Venezuela", 6.4, -66.6),
    c("VG", "British Virgin Islands", 18.4, -64.6),
    c("VI", "U.S. Virgin Islands", 18.3, -64.9),
    c("VN", "Vietnam", 14.1, 108.3),
    c("VU", "Vanuatu", -15.4, 167.0),
    c("WF", "Wallis and Futuna", -13.8, -177.2),
    c("WS", "Samoa", -13.8, -172.1),
    c("XK", "Kosovo", 42.6, 20.9),
    c("YE", "Yemen", 15.6, 48.5),
    c("YT", "Mayotte", -12.8, 45.2),
    c("ZA", "South Africa", -30.6, 22.9),
    c("ZM", "Zambia", -13.1, 27.8),
    c("ZW", "Zimbabwe", -19.0, 29.2),
];

#[rustfmt::skip]
static NAMES: [(&str, &str); 389] = [
    ("afghanistan", "AF"), ("aland", "AX"), ("aland islands", "AX"), ("albania", "AL"),
    ("algeria", "DZ"), ("america", "US"), ("american samoa", "AS"), ("andorra", "AD"),
    ("angola", "AO"), ("anguilla", "AI"), ("antarctica", "AQ"), ("antigua and barbuda", "AG"),
    ("argentina", "AR"), ("armenia", "AM"), ("aruba", "AW"), ("australia", "AU"),
    ("austria", "AT"), ("azerbaijan", "AZ"), ("bahamas", "BS"), ("bahrain", "BH"),
    ("bangladesh", "BD"), ("barbados", "BB"), ("belarus", "BY"), ("belgium", "BE"),
    ("belize", "BZ"), ("benin", "BJ"), ("bermuda", "BM"), ("bhutan", "BT"),
    ("bolivarian republic of venezuela", "VE"), ("bolivia", "BO"),
    ("bolivia plurinational state of", "BO"), ("bonaire", "BQ"),
    ("bonaire saint eustatius and saba", "BQ"), ("bonaire sint eustatius and saba", "BQ"),
    ("bosnia", "BA"), ("bosnia and herzegovina", "BA"), ("bosnia herzegovina", "BA"),
    ("botswana", "BW"), ("bouvet island", "BV"), ("brazil", "BR"), ("britain", "GB"),
    ("british indian ocean territory", "IO"), ("british virgin islands", "VG"), ("brunei", "BN"),
    ("brunei darussalam", "BN"), ("bulgaria", "BG"), ("burkina faso", "BF"), ("burma", "MM"),
    ("burundi", "BI"), ("cabo verde", "CV"), ("cambodia", "KH"), ("cameroon", "CM"),
    ("canada", "CA"), ("cape verde", "CV"), ("caribbean netherlands", "BQ"),
    ("cayman islands", "KY"), ("central african republic", "CF"), ("chad", "TD"), ("chile", "CL"),
    ("china", "CN"), ("christmas island", "CX"), ("cocos islands", "CC"),
    ("cocos keeling islands", "CC"), ("colombia", "CO"), ("comoros", "KM"), ("congo", "CG"),
    ("congo brazzaville", "CG"), ("congo dem rep", "CD"), ("congo democratic republic", "CD"),
    ("congo democratic republic of", "CD"), ("congo drc", "CD"), ("congo kinshasa", "CD"),
    ("congo rep", "CG"), ("congo republic", "CG"), ("congo the democratic republic of", "CD"),
    ("cook islands", "CK"), ("costa rica", "CR"), ("cote divoire", "CI"), ("croatia", "HR"),
    ("cuba", "CU"), ("curacao", "CW"), ("cyprus", "CY"), ("czech republic", "CZ"),
    ("czechia", "CZ"), ("democratic peoples republic of korea", "KP"),
    ("democratic republic of the congo", "CD"), ("denmark", "DK"), ("djibouti", "DJ"),
    ("dominica", "DM"), ("dominican republic", "DO"), ("dprk", "KP"), ("dr congo", "CD"),
    ("drc", "CD"), ("east timor", "TL"), ("ecuador", "EC"), ("egypt", "EG"), ("el salvador", "SV"),
    ("england", "GB"), ("equatorial guinea", "GQ"), ("eritrea", "ER"), ("estonia", "EE"),
    ("eswatini", "SZ"), ("ethiopia", "ET"), ("falkland islands", "FK"),
    ("falkland islands islas malvinas", "FK"), ("falkland islands malvinas", "FK"),
    ("faroe islands", "FO"), ("federated states of micronesia", "FM"), ("fiji", "FJ"),
    ("finland", "FI"), ("france", "FR"), ("french guiana", "GF"), ("french polynesia", "PF"),
    ("french southern and antarctic lands", "TF"), ("french southern territories", "TF"),
    ("fyrom", "MK"), ("gabon", "GA"), ("gambia", "GM"), ("georgia", "GE"), ("germany", "DE"),
    ("ghana", "GH"), ("gibraltar", "GI"), ("great britain", "GB"), ("greece", "GR"),
    ("greenland", "GL"), ("grenada", "GD"), ("guadeloupe", "GP"), ("guam", "GU"),
    ("guatemala", "GT"), ("guernsey", "GG"), ("guinea", "GN"), ("guinea bissau", "GW"),
    ("guyana", "GY"), ("haiti", "HT"), ("hashemite kingdom of jordan", "JO"),
    ("heard and mcdonald islands", "HM"), ("heard island and mcdonald islands", "HM"),
    ("holland", "NL"), ("holy see", "VA"), ("holy see vatican city state", "VA"),
    ("honduras", "HN"), ("hong kong", "HK"), ("hong kong sar", "HK"),
    ("hong kong sar china", "HK"), ("hungary", "HU"), ("iceland", "IS"), ("india", "IN"),
    ("indonesia", "ID"), ("iran", "IR"), ("iran islamic republic of", "IR"), ("iraq", "IQ"),
    ("ireland", "IE"), ("islamic republic of iran", "IR"), ("isle of man", "IM"), ("israel", "IL"),
    ("italy", "IT"), ("ivory coast", "CI"), ("jamaica", "JM"), ("japan", "JP"), ("jersey", "JE"),
    ("jordan", "JO"), ("kazakhstan", "KZ"), ("keeling islands", "CC"), ("kenya", "KE"),
    ("kingdom of eswatini", "SZ"), ("kingdom of saudi arabia", "SA"),
    ("kingdom of the netherlands", "NL"), ("kiribati", "KI"), ("korea", "KR"),
    ("korea democratic peoples republic of", "KP"), ("korea dpr", "KP"), ("korea north", "KP"),
    ("korea rep", "KR"), ("korea republic of", "KR"), ("korea south", "KR"), ("kosovo", "XK"),
    ("kuwait", "KW"), ("kyrgyz republic", "KG"), ("kyrgyzstan", "KG"), ("lao", "LA"),
    ("lao pdr", "LA"), ("lao peoples democratic republic", "LA"), ("laos", "LA"), ("latvia", "LV"),
    ("lebanon", "LB"), ("lesotho", "LS"), ("liberia", "LR"), ("libya", "LY"),
    ("libyan arab jamahiriya", "LY"), ("liechtenstein", "LI"), ("lithuania", "LT"),
    ("luxembourg", "LU"), ("macao", "MO"), ("macao sar", "MO"), ("macao sar china", "MO"),
    ("macau", "MO"), ("macau sar", "MO"), ("macedonia", "MK"), ("macedonia fyrom", "MK"),
    ("macedonia the former yugoslav republic of", "MK"), ("madagascar", "MG"), ("malawi", "MW"),
    ("malaysia", "MY"), ("maldives", "MV"), ("mali", "ML"), ("malta", "MT"), ("malvinas", "FK"),
    ("marshall islands", "MH"), ("martinique", "MQ"), ("mauritania", "MR"), ("mauritius", "MU"),
    ("mayotte", "YT"), ("mexico", "MX"), ("micronesia", "FM"),
    ("micronesia federated states of", "FM"), ("moldova", "MD"), ("moldova republic of", "MD"),
    ("monaco", "MC"), ("mongolia", "MN"), ("montenegro", "ME"), ("montserrat", "MS"),
    ("morocco", "MA"), ("mozambique", "MZ"), ("myanmar", "MM"), ("myanmar burma", "MM"),
    ("namibia", "NA"), ("nauru", "NR"), ("nepal", "NP"), ("netherlands", "NL"),
    ("netherlands kingdom of", "NL"), ("new caledonia", "NC"), ("new zealand", "NZ"),
    ("nicaragua", "NI"), ("niger", "NE"), ("nigeria", "NG"), ("niue", "NU"),
    ("norfolk island", "NF"), ("north korea", "KP"), ("north macedonia", "MK"),
    ("northern ireland", "GB"), ("northern mariana islands", "MP"), ("norway", "NO"),
    ("oman", "OM"), ("pakistan", "PK"), ("palau", "PW"), ("palestine", "PS"),
    ("palestine state of", "PS"), ("palestinian territories", "PS"),
    ("palestinian territory", "PS"), ("palestinian territory occupied", "PS"), ("panama", "PA"),
    ("papua new guinea", "PG"), ("paraguay", "PY"), ("peoples republic of china", "CN"),
    ("peru", "PE"), ("philippines", "PH"), ("pitcairn", "PN"), ("pitcairn islands", "PN"),
    ("plurinational state of bolivia", "BO"), ("poland", "PL"), ("portugal", "PT"), ("prc", "CN"),
    ("puerto rico", "PR"), ("qatar", "QA"), ("republic of china", "TW"),
    ("republic of estonia", "EE"), ("republic of ireland", "IE"), ("republic of korea", "KR"),
    ("republic of latvia", "LV"), ("republic of lithuania", "LT"), ("republic of moldova", "MD"),
    ("republic of north macedonia", "MK"), ("republic of singapore", "SG"),
    ("republic of the congo", "CG"), ("republic of the philippines", "PH"),
    ("republic of turkiye", "TR"), ("reunion", "RE"), ("romania", "RO"), ("russia", "RU"),
    ("russian federation", "RU"), ("rwanda", "RW"), ("saint barthelemy", "BL"),
    ("saint helena", "SH"), ("saint helena ascension and tristan da cunha", "SH"),
    ("saint kitts", "KN"), ("saint kitts and nevis", "KN"), ("saint lucia", "LC"),
    ("saint martin", "MF"), ("saint martin french part", "MF"),
    ("saint pierre and miquelon", "PM"), ("saint vincent", "VC"),
    ("saint vincent and the grenadines", "VC"), ("samoa", "WS"), ("san marino", "SM"),
    ("sao tome and principe", "ST"), ("saudi arabia", "SA"), ("scotland", "GB"), ("senegal", "SN"),
    ("serbia", "RS"), ("seychelles", "SC"), ("sierra leone", "SL"), ("singapore", "SG"),
    ("sint maarten", "SX"), ("sint maarten dutch part", "SX"), ("slovak republic", "SK"),
    ("slovakia", "SK"), ("slovenia", "SI"), ("solomon islands", "SB"), ("somalia", "SO"),
    ("south africa", "ZA"), ("south georgia", "GS"),
    ("south georgia and the south sandwich islands", "GS"), ("south korea", "KR"),
    ("south sudan", "SS"), ("spain", "ES"), ("sri lanka", "LK"), ("st barthelemy", "BL"),
    ("st helena", "SH"), ("st kitts and nevis", "KN"), ("st lucia", "LC"), ("st martin", "MF"),
    ("st pierre and miquelon", "PM"), ("st vincent and grenadines", "VC"),
    ("st vincent and the grenadines", "VC"), ("state of palestine", "PS"), ("sudan", "SD"),
    ("suriname", "SR"), ("svalbard", "SJ"), ("svalbard and jan mayen", "SJ"), ("swaziland", "SZ"),
    ("sweden", "SE"), ("switzerland", "CH"), ("syria", "SY"), ("syrian arab republic", "SY"),
    ("taiwan", "TW"), ("taiwan province of china", "TW"), ("tajikistan", "TJ"), ("tanzania", "TZ"),
    ("tanzania united republic of", "TZ"), ("thailand", "TH"), ("timor leste", "TL"),
    ("togo", "TG"), ("tokelau", "TK"), ("tonga", "TO"), ("trinidad and tobago", "TT"),
    ("tunisia", "TN"), ("turkey", "TR"), ("turkiye", "TR"), ("turkmenistan", "TM"),
    ("turks and caicos islands", "TC"), ("tuvalu", "TV"), ("u k", "GB"), ("u s", "US"),
    ("u s a", "US"), ("u s minor outlying islands", "UM"), ("u s virgin islands", "VI"),
    ("uae", "AE"), ("uganda", "UG"), ("uk", "GB"), ("ukraine", "UA"),
    ("united arab emirates", "AE"), ("united kingdom", "GB"),
    ("united kingdom of great britain and northern ireland", "GB"),
    ("united republic of tanzania", "TZ"), ("united states", "US"),
    ("united states minor outlying islands", "UM"), ("united states of america", "US"),
    ("united states virgin islands", "VI"), ("uruguay", "UY"), ("us minor outlying islands", "UM"),
    ("us virgin islands", "VI"), ("usa", "US"), ("uzbekistan", "UZ"), ("vanuatu", "VU"),
    ("vatican", "VA"), ("vatican city", "VA"), ("vatican city state", "VA"), ("venezuela", "VE"),
    ("venezuela bolivarian republic of", "VE"), ("viet nam", "VN"), ("vietnam", "VN"),
    ("virgin islands british", "VG"), ("virgin islands u s", "VI"), ("wales", "GB"),
    ("wallis and futuna", "WF"), ("western sahara", "EH"), ("yemen", "YE"), ("zambia", "ZM"),
    ("zimbabwe", "ZW"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_any_case_and_validated() {
        assert_eq!(to_alpha2("US"), Some("US"));
        assert_eq!(to_alpha2("us"), Some("US"));
        assert_eq!(to_alpha2(" fr "), Some("FR"));
        assert_eq!(to_alpha2("xk"), Some("XK"));
        assert_eq!(to_alpha2("ZZ"), None);
        assert_eq!(to_alpha2("AA"), None);
        assert_eq!(to_alpha2("U1"), None);
    }

    #[test]
    fn names_and_aliases() {
        let cases = [
            ("United States", "US"),
            ("United States of America", "US"),
            ("USA", "US"),
            ("U.S.A.", "US"),
            ("UK", "GB"),
            ("Great Britain", "GB"),
            ("united kingdom", "GB"),
            ("Russia", "RU"),
            ("Russian Federation", "RU"),
            ("South Korea", "KR"),
            ("Korea, Republic of", "KR"),
            ("North Korea", "KP"),
            ("Korea, Democratic People's Republic of", "KP"),
            ("Czechia", "CZ"),
            ("Czech Republic", "CZ"),
            ("The Netherlands", "NL"),
            ("Netherlands", "NL"),
            ("Viet Nam", "VN"),
            ("Vietnam", "VN"),
            ("Iran", "IR"),
            ("Iran, Islamic Republic of", "IR"),
            ("Syria", "SY"),
            ("Türkiye", "TR"),
            ("Turkiye", "TR"),
            ("Turkey", "TR"),
            ("Côte d'Ivoire", "CI"),
            ("Cote d’Ivoire", "CI"),
            ("COTE DIVOIRE", "CI"),
            ("Ivory Coast", "CI"),
            ("Taiwan", "TW"),
            ("Hong Kong", "HK"),
            ("Macao", "MO"),
            ("Macau", "MO"),
            ("Palestine", "PS"),
            ("Bolivia", "BO"),
            ("Venezuela", "VE"),
            ("Tanzania", "TZ"),
            ("Moldova", "MD"),
            ("Laos", "LA"),
            ("Brunei", "BN"),
            ("Cape Verde", "CV"),
            ("Cabo Verde", "CV"),
            ("Eswatini", "SZ"),
            ("Swaziland", "SZ"),
            ("North Macedonia", "MK"),
            ("Macedonia", "MK"),
            ("Myanmar", "MM"),
            ("Burma", "MM"),
            ("DR Congo", "CD"),
            ("Congo, Democratic Republic of the", "CD"),
            ("Congo Democratic Republic", "CD"),
            ("Congo", "CG"),
            ("Republic of the Congo", "CG"),
            ("Vatican", "VA"),
            ("Holy See", "VA"),
            ("Åland Islands", "AX"),
            ("CURAÇAO", "CW"),
            ("Réunion", "RE"),
            ("Bahamas, The", "BS"),
            ("Trinidad & Tobago", "TT"),
            ("Bosnia-Herzegovina", "BA"),
            ("Guinea-Bissau", "GW"),
            ("Germany", "DE"),
            ("Japan", "JP"),
            ("Canada", "CA"),
        ];
        for (input, want) in cases {
            assert_eq!(to_alpha2(input), Some(want), "{input}");
        }
    }

    #[test]
    fn unknowns_are_none() {
        for s in [
            "",
            "-",
            "FAKE_COUNTRY",
            "Atlantis",
            "Europe",
            "United",
            "The",
            "Korea Republic of Nowhere",
            "\u{1b}[31mUS",
            &"x".repeat(500),
        ] {
            assert_eq!(to_alpha2(s), None, "{s:?}");
        }
    }

    #[test]
    fn names_and_centroids() {
        assert_eq!(name("de"), Some("Germany"));
        assert_eq!(name("CI"), Some("Côte d'Ivoire"));
        assert_eq!(name("QQ"), None);
        assert_eq!(name("USA"), None);
        let (lat, lon) = centroid("AU").unwrap();
        assert!(lat < -20.0 && lon > 120.0);
        let (lat, lon) = centroid("us").unwrap();
        assert!((30.0..50.0).contains(&lat) && (-110.0..-80.0).contains(&lon));
        assert_eq!(centroid("ZZ"), None);
    }

    #[test]
    fn tables_are_sorted_consistent_and_complete() {
        assert_eq!(COUNTRIES.len(), 250); // 249 ISO 3166-1 + XK
        for w in COUNTRIES.windows(2) {
            assert!(w[0].code < w[1].code, "{} {}", w[0].code, w[1].code);
        }
        for w in NAMES.windows(2) {
            assert!(w[0].0 < w[1].0, "{} {}", w[0].0, w[1].0);
        }
        let mut buf = [0u8; MAX_NAME];
        for (key, code) in NAMES {
            assert_eq!(
                fold(key, &mut buf),
                Some(key.as_bytes()),
                "{key} not folded"
            );
            assert!(
                by_code(code).is_some_and(|c| c.code == code),
                "{key} -> {code}"
            );
        }
        for c in &COUNTRIES {
            assert_eq!(to_alpha2(c.name), Some(c.code), "{}", c.name);
            assert_eq!(to_alpha2(&c.code.to_lowercase()), Some(c.code));
            assert!((-90.0..=90.0).contains(&c.lat) && (-180.0..=180.0).contains(&c.lon));
        }
    }
}
