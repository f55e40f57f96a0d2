//! Kafka and Azure Event Hubs as a live source: `-f kafka://BROKERS/TOPIC`.
//!
//! - [`url`]: the `kafka://` input and its overrides (`?group=`, `?start=`, `?tls=`);
//! - [`settings`]: the `[kafka]` section (TLS, SASL, fetch sizes, replay);
//! - [`connect`]: the client (rskafka, pure Rust);
//! - [`consumer`]: the thread that reads every partition into batches;
//! - [`message`]: one message's payload (a record, an array, a
//!   `{"records":[…]}` batch, JSON lines, possibly gzip) as records;
//! - [`live`]: the status the workbench shows and the ledger of offsets
//!   the owner commits once a batch's findings are in the case (the
//!   case side is `triage::kafka`).

pub mod connect;
pub mod consumer;
pub mod live;
pub mod message;
pub mod settings;
pub mod url;

pub use consumer::{Handle, KafkaInput};
pub use live::{Committed, Live, PartitionStatus};
pub use settings::KafkaConfig;
pub use url::{is_kafka, KafkaUrl};
