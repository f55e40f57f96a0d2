//! Detector scenarios: for each detector, the attack it must catch (exact
//! risk, severity and counts) and the lookalikes it must stay quiet on; plus
//! id stability, late events and bounded state across all of them.

mod brute;
mod client;
mod cloud_session;
mod complete;
mod country;
mod describe;
mod distributed;
mod enumeration;
mod fatigue;
mod hosting;
mod mail;
mod mfa_denials;
mod risk;
mod slow;
mod spray;
mod stability;
mod stuffing;
mod threat_insight;
mod travel;
