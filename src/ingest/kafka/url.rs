//! `kafka://BROKER[,BROKER…]/TOPIC[?group=G&start=S&tls=true]`: what a
//! Kafka (or Event Hubs) input names, read from the command line.

use super::settings::KafkaConfig;
use chrono::{DateTime, Utc};

/// The URL scheme that marks a Kafka input among paths.
pub const SCHEME: &str = "kafka://";

/// Where a partition starts reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// The committed offset; partitions without one start at `fallback`.
    Committed { fallback: Position },
    /// Ignore committed offsets.
    At(Position),
}

/// A position in a partition given without a committed offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    Earliest,
    Latest,
    Time(DateTime<Utc>),
}

/// A parsed `kafka://` input with the settings it overrides applied.
#[derive(Clone, Debug, PartialEq)]
pub struct KafkaUrl {
    pub brokers: Vec<String>,
    pub topic: String,
    pub group: String,
    pub start: Start,
    pub tls: bool,
}

/// True when `s` names a Kafka input.
pub fn is_kafka(s: &str) -> bool {
    s.get(..SCHEME.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(SCHEME))
}

fn position(s: &str) -> Result<Position, String> {
    match s {
        "earliest" => Ok(Position::Earliest),
        "latest" => Ok(Position::Latest),
        t => DateTime::parse_from_rfc3339(t)
            .map(|t| Position::Time(t.with_timezone(&Utc)))
            .map_err(|_| {
                format!("start `{t}`: use committed, earliest, latest or an RFC 3339 time")
            }),
    }
}

impl KafkaUrl {
    /// Parses `s` (see the module doc); `config` gives what the URL leaves out.
    pub fn parse(s: &str, config: &KafkaConfig) -> Result<KafkaUrl, String> {
        let rest = s
            .get(SCHEME.len()..)
            .filter(|_| is_kafka(s))
            .ok_or_else(|| "not a kafka:// URL".to_string())?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (brokers, topic) = path
            .split_once('/')
            .ok_or_else(|| "write it as kafka://BROKER:PORT/TOPIC".to_string())?;
        let brokers: Vec<String> = brokers
            .split(',')
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .map(|b| {
                if b.contains(':') {
                    b.to_string()
                } else {
                    format!("{b}:9092")
                }
            })
            .collect();
        if brokers.is_empty() {
            return Err("no broker given: kafka://BROKER:PORT/TOPIC".into());
        }
        let topic = topic.trim_end_matches('/');
        if topic.is_empty() || topic.contains('/') {
            return Err("name one topic: kafka://BROKER:PORT/TOPIC".into());
        }
        let mut url = KafkaUrl {
            brokers,
            topic: topic.to_string(),
            group: config.group.clone(),
            start: Start::Committed {
                fallback: position(&config.start).map_err(|e| format!("[kafka] {e}"))?,
            },
            tls: config.tls,
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "group" if !v.is_empty() => url.group = v.to_string(),
                "start" if v == "committed" => {}
                "start" => url.start = Start::At(position(v)?),
                "tls" => {
                    url.tls = match v {
                        "" | "true" | "1" | "yes" => true,
                        "false" | "0" | "no" => false,
                        _ => return Err(format!("tls=`{v}`: use true or false")),
                    }
                }
                _ => {
                    return Err(format!(
                        "unknown URL parameter `{k}`; use group=, start= or tls="
                    ))
                }
            }
        }
        Ok(url)
    }

    /// The input's name as shown and recorded (no credentials ever appear
    /// in a kafka URL: they come from the environment).
    pub fn display(&self) -> String {
        format!("kafka://{}/{}", self.brokers.join(","), self.topic)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brokers_topic_and_overrides() {
        let c = KafkaConfig::default();
        let u = KafkaUrl::parse("kafka://a:9093,b/signins?group=g1&start=latest&tls", &c).unwrap();
        assert_eq!(u.brokers, vec!["a:9093", "b:9092"]);
        assert_eq!(u.topic, "signins");
        assert_eq!(u.group, "g1");
        assert_eq!(u.start, Start::At(Position::Latest));
        assert!(u.tls);
        let u = KafkaUrl::parse("KAFKA://localhost:9092/t", &c).unwrap();
        assert_eq!(u.group, "hunt");
        assert_eq!(
            u.start,
            Start::Committed {
                fallback: Position::Earliest
            }
        );
        let u = KafkaUrl::parse("kafka://h/t?start=2026-01-02T03:04:05Z", &c).unwrap();
        assert!(matches!(u.start, Start::At(Position::Time(_))));
    }

    #[test]
    fn bad_urls_say_why() {
        let c = KafkaConfig::default();
        for bad in [
            "kafka://",
            "kafka://host",
            "kafka:///topic",
            "kafka://h/a/b",
            "kafka://h/t?start=yesterday",
            "kafka://h/t?password=x",
            "file://h/t",
        ] {
            assert!(KafkaUrl::parse(bad, &c).is_err(), "{bad}");
        }
        assert!(is_kafka("kafka://x/y") && !is_kafka("kafk"));
    }
}
