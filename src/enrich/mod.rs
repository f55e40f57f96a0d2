//! Enrichment of events from outside knowledge: country names to codes,
//! hosting / anonymising networks, and MaxMind GeoIP databases.

pub mod country;
pub mod hosting;
