//! `hunt events --output parquet`: the OCSF rows of [`super::ocsf`] as
//! nested Parquet columns (docs/ocsf.md §3), written with the Apache Arrow
//! writer in row groups of at most [`ROW_GROUP`] rows. Rows are gathered
//! into Arrow builders [`BATCH`] at a time, so memory stays flat whatever
//! the input size.
//!
//! The schema is one flat list of dotted leaf paths ([`LEAVES`]); nesting
//! is derived from the dots, so the columns Spark sees are exactly the
//! attribute paths of the OCSF JSON lines.

use super::ocsf::Ocsf;
use arrow_array::builder::{ArrayBuilder, StringBuilder};
use arrow_array::builder::{BooleanBuilder, Float64Builder, Int32Builder, Int64Builder};
use arrow_array::{Array, ArrayRef, RecordBatch, StructArray};
use arrow_schema::{DataType, Field, FieldRef, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::io::Write;
use std::sync::Arc;

/// Rows per Parquet row group at most.
pub const ROW_GROUP: usize = 65_536;
/// Rows gathered in the Arrow builders before they go to the writer.
pub const BATCH: usize = 16_384;

/// A leaf column's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Str,
    I32,
    I64,
    F64,
    Bool,
}

/// Every leaf column: its dotted OCSF path and type. Children of one
/// struct are listed together (the nesting is built from runs of equal prefixes).
pub const LEAVES: [(&str, Ty); 65] = [
    ("time", Ty::I64),
    ("class_uid", Ty::I32),
    ("class_name", Ty::Str),
    ("category_uid", Ty::I32),
    ("category_name", Ty::Str),
    ("activity_id", Ty::I32),
    ("activity_name", Ty::Str),
    ("type_uid", Ty::I64),
    ("type_name", Ty::Str),
    ("severity_id", Ty::I32),
    ("severity", Ty::Str),
    ("status_id", Ty::I32),
    ("status", Ty::Str),
    ("status_code", Ty::Str),
    ("status_detail", Ty::Str),
    ("user.name", Ty::Str),
    ("user.org.uid", Ty::Str),
    ("actor.user.name", Ty::Str),
    ("api.operation", Ty::Str),
    ("api.service.name", Ty::Str),
    ("cloud.provider", Ty::Str),
    ("src_endpoint.ip", Ty::Str),
    ("src_endpoint.location.country", Ty::Str),
    ("src_endpoint.location.city", Ty::Str),
    ("src_endpoint.location.lat", Ty::F64),
    ("src_endpoint.location.long", Ty::F64),
    ("src_endpoint.autonomous_system.number", Ty::I64),
    ("src_endpoint.autonomous_system.name", Ty::Str),
    ("http_request.user_agent", Ty::Str),
    ("auth_protocol", Ty::Str),
    ("auth_protocol_id", Ty::I32),
    ("logon_type", Ty::Str),
    ("is_mfa", Ty::Bool),
    ("session.uid", Ty::Str),
    ("metadata.version", Ty::Str),
    ("metadata.product.name", Ty::Str),
    ("metadata.product.vendor_name", Ty::Str),
    ("metadata.log_name", Ty::Str),
    ("unmapped.file", Ty::Str),
    ("unmapped.line", Ty::I32),
    ("unmapped.offset", Ty::I64),
    ("unmapped.length", Ty::I32),
    ("unmapped.source", Ty::Str),
    ("unmapped.kind", Ty::Str),
    ("unmapped.outcome", Ty::Str),
    ("unmapped.app", Ty::Str),
    ("unmapped.client_app", Ty::Str),
    ("unmapped.auth_requirement", Ty::Str),
    ("unmapped.risk_level", Ty::Str),
    ("unmapped.risk_state", Ty::Str),
    ("unmapped.risk_events", Ty::Str),
    ("unmapped.home_tenant", Ty::Str),
    ("unmapped.resource_tenant", Ty::Str),
    ("unmapped.access_key", Ty::Str),
    ("unmapped.params", Ty::Str),
    ("unmapped.accuracy_km", Ty::I32),
    ("unmapped.is_proxy", Ty::Bool),
    ("unmapped.interactive", Ty::Bool),
    ("unmapped.geo_from_db", Ty::Bool),
    ("unmapped.country_from_db", Ty::Bool),
    ("unmapped.asn_from_db", Ty::Bool),
    ("unmapped.no_such_user", Ty::Bool),
    ("unmapped.mfa_denied", Ty::Bool),
    ("unmapped.protocol", Ty::Str),
    ("unmapped.transfer_method", Ty::Str),
];

/// One leaf value (`None` = null).
#[derive(Clone, Debug, PartialEq)]
pub enum Cell<'a> {
    Str(Option<&'a str>),
    I32(Option<i32>),
    I64(Option<i64>),
    F64(Option<f64>),
    Bool(Option<bool>),
}

/// The values of [`LEAVES`] for one row, in the same order.
pub fn cells<'a>(o: &'a Ocsf<'a>) -> Vec<Cell<'a>> {
    use Cell::*;
    let loc = o.src_endpoint.location.as_ref();
    let asys = o.src_endpoint.autonomous_system.as_ref();
    let u = &o.unmapped;
    vec![
        I64(Some(o.time)),
        I32(Some(o.class_uid)),
        Str(Some(o.class_name)),
        I32(Some(o.category_uid)),
        Str(Some(o.category_name)),
        I32(Some(o.activity_id)),
        Str(Some(o.activity_name)),
        I64(Some(o.type_uid)),
        Str(Some(&o.type_name)),
        I32(Some(o.severity_id)),
        Str(Some(o.severity)),
        I32(Some(o.status_id)),
        Str(Some(o.status)),
        Str(o.status_code),
        Str(Some(o.status_detail)),
        Str(o.user.as_ref().map(|u| u.name)),
        Str(o.user.as_ref().and_then(|u| u.org.as_ref()).map(|g| g.uid)),
        Str(o.actor.as_ref().map(|a| a.user.name)),
        Str(o.api.as_ref().and_then(|a| a.operation)),
        Str(o
            .api
            .as_ref()
            .and_then(|a| a.service.as_ref())
            .map(|s| s.name)),
        Str(o.cloud.as_ref().map(|c| c.provider)),
        Str(o.src_endpoint.ip),
        Str(loc.and_then(|l| l.country)),
        Str(loc.and_then(|l| l.city)),
        F64(loc.and_then(|l| l.lat)),
        F64(loc.and_then(|l| l.long)),
        I64(asys.and_then(|a| a.number)),
        Str(asys.and_then(|a| a.name)),
        Str(o.http_request.as_ref().map(|h| h.user_agent)),
        Str(o.auth_protocol),
        I32(o.auth_protocol_id),
        Str(o.logon_type),
        Bool(o.is_mfa),
        Str(o.session.as_ref().map(|s| s.uid)),
        Str(Some(o.metadata.version)),
        Str(Some(o.metadata.product.name)),
        Str(Some(o.metadata.product.vendor_name)),
        Str(o.metadata.log_name),
        Str(Some(u.file)),
        I32(Some(u.line)),
        I64(Some(u.offset)),
        I32(Some(u.length)),
        Str(Some(u.source)),
        Str(Some(u.kind)),
        Str(Some(u.outcome)),
        Str(u.app),
        Str(u.client_app),
        Str(u.auth_requirement),
        Str(u.risk_level),
        Str(u.risk_state),
        Str(u.risk_events),
        Str(u.home_tenant),
        Str(u.resource_tenant),
        Str(u.access_key),
        Str(u.params.as_deref()),
        I32(u.accuracy_km),
        Bool(Some(u.is_proxy)),
        Bool(Some(u.interactive)),
        Bool(Some(u.geo_from_db)),
        Bool(Some(u.country_from_db)),
        Bool(Some(u.asn_from_db)),
        Bool(Some(u.no_such_user)),
        Bool(Some(u.mfa_denied)),
        Str(u.protocol),
        Str(u.transfer_method),
    ]
}

enum Builder {
    Str(StringBuilder),
    I32(Int32Builder),
    I64(Int64Builder),
    F64(Float64Builder),
    Bool(BooleanBuilder),
}

impl Builder {
    fn new(ty: Ty) -> Builder {
        match ty {
            Ty::Str => Builder::Str(StringBuilder::new()),
            Ty::I32 => Builder::I32(Int32Builder::new()),
            Ty::I64 => Builder::I64(Int64Builder::new()),
            Ty::F64 => Builder::F64(Float64Builder::new()),
            Ty::Bool => Builder::Bool(BooleanBuilder::new()),
        }
    }

    /// Appends a value; a cell of another type (a bug) appends null.
    fn push(&mut self, c: &Cell) {
        match (self, c) {
            (Builder::Str(b), Cell::Str(v)) => b.append_option(*v),
            (Builder::I32(b), Cell::I32(v)) => b.append_option(*v),
            (Builder::I64(b), Cell::I64(v)) => b.append_option(*v),
            (Builder::F64(b), Cell::F64(v)) => b.append_option(*v),
            (Builder::Bool(b), Cell::Bool(v)) => b.append_option(*v),
            (Builder::Str(b), _) => b.append_null(),
            (Builder::I32(b), _) => b.append_null(),
            (Builder::I64(b), _) => b.append_null(),
            (Builder::F64(b), _) => b.append_null(),
            (Builder::Bool(b), _) => b.append_null(),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Str(b) => Arc::new(b.finish()),
            Builder::I32(b) => Arc::new(b.finish()),
            Builder::I64(b) => Arc::new(b.finish()),
            Builder::F64(b) => Arc::new(b.finish()),
            Builder::Bool(b) => Arc::new(b.finish()),
        }
    }

    fn len(&self) -> usize {
        match self {
            Builder::Str(b) => b.len(),
            Builder::I32(b) => b.len(),
            Builder::I64(b) => b.len(),
            Builder::F64(b) => b.len(),
            Builder::Bool(b) => b.len(),
        }
    }
}

/// Nests leaf arrays by their dotted paths: runs of leaves sharing a first
/// segment become one struct column (never null itself; its fields are).
fn nest(leaves: Vec<(&str, ArrayRef)>) -> Vec<(FieldRef, ArrayRef)> {
    let mut out: Vec<(FieldRef, ArrayRef)> = Vec::new();
    let mut i = 0;
    let leaves: Vec<(&str, ArrayRef)> = leaves;
    while let Some((path, array)) = leaves.get(i) {
        match path.split_once('.') {
            None => {
                let f = Field::new(*path, array.data_type().clone(), true);
                out.push((Arc::new(f), Arc::clone(array)));
                i += 1;
            }
            Some((head, _)) => {
                let run = head_run(leaves.get(i..).unwrap_or_default(), head);
                i += run.len();
                let children = nest(run);
                let st = StructArray::from(children);
                let f = Field::new(head, st.data_type().clone(), false);
                out.push((Arc::new(f), Arc::new(st)));
            }
        }
    }
    out
}

/// The leading run of `leaves` whose paths start with `head.`, with that
/// first segment taken off (the children of one struct column).
fn head_run<'a, T: Clone>(leaves: &[(&'a str, T)], head: &str) -> Vec<(&'a str, T)> {
    leaves
        .iter()
        .take_while(|(p, _)| p.split_once('.').is_some_and(|(h, _)| h == head))
        .map(|(p, t)| (p.split_once('.').map_or(*p, |(_, r)| r), t.clone()))
        .collect()
}

/// Writes OCSF rows to a Parquet file.
pub struct ParquetOut<W: Write + Send> {
    builders: Vec<Builder>,
    writer: ArrowWriter<W>,
    schema: SchemaRef,
}

impl<W: Write + Send> ParquetOut<W> {
    pub fn new(out: W) -> parquet::errors::Result<Self> {
        let mut builders: Vec<Builder> = LEAVES.iter().map(|(_, t)| Builder::new(*t)).collect();
        let schema = batch_of(&mut builders)?.schema();
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP))
            .set_created_by(format!("hunt {}", env!("CARGO_PKG_VERSION")))
            .build();
        let writer = ArrowWriter::try_new(out, Arc::clone(&schema), Some(props))?;
        Ok(ParquetOut {
            builders,
            writer,
            schema,
        })
    }

    pub fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    pub fn push(&mut self, o: &Ocsf) -> parquet::errors::Result<()> {
        for (b, c) in self.builders.iter_mut().zip(cells(o)) {
            b.push(&c);
        }
        if self.builders.first().map_or(0, Builder::len) >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> parquet::errors::Result<()> {
        if self.builders.first().map_or(0, Builder::len) == 0 {
            return Ok(());
        }
        let batch = batch_of(&mut self.builders)?;
        self.writer.write(&batch)
    }

    /// Writes what is gathered and the file footer; returns the output.
    pub fn finish(mut self) -> parquet::errors::Result<W> {
        self.flush()?;
        self.writer.into_inner()
    }
}

/// Takes the builders' rows as one record batch.
fn batch_of(builders: &mut [Builder]) -> parquet::errors::Result<RecordBatch> {
    let leaves: Vec<(&str, ArrayRef)> = LEAVES
        .iter()
        .zip(builders.iter_mut())
        .map(|((p, _), b)| (*p, b.finish()))
        .collect();
    let (fields, arrays): (Vec<FieldRef>, Vec<ArrayRef>) = nest(leaves).into_iter().unzip();
    let schema = Arc::new(Schema::new(fields));
    RecordBatch::try_new(schema, arrays)
        .map_err(|e| parquet::errors::ParquetError::External(Box::new(e)))
}

/// The schema of [`LEAVES`] as a Spark DDL string (`time BIGINT, user
/// STRUCT<name: STRING, …>, …`): with it, Spark reads OCSF JSON lines with
/// exactly the columns of the Parquet output, including those that are null
/// in every row (which schema inference leaves out).
pub fn spark_ddl() -> String {
    fn spark_type(t: Ty) -> &'static str {
        match t {
            Ty::Str => "STRING",
            Ty::I32 => "INT",
            Ty::I64 => "BIGINT",
            Ty::F64 => "DOUBLE",
            Ty::Bool => "BOOLEAN",
        }
    }
    /// Renders the leaves whose paths (relative to the struct) are given;
    /// `sep` is what joins a name to its type (` ` at the top, `: ` in a STRUCT).
    fn render(leaves: &[(&str, Ty)], sep: &str) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut i = 0;
        while let Some((path, ty)) = leaves.get(i) {
            match path.split_once('.') {
                None => {
                    parts.push(format!("`{path}`{sep}{}", spark_type(*ty)));
                    i += 1;
                }
                Some((head, _)) => {
                    let run = head_run(leaves.get(i..).unwrap_or_default(), head);
                    i += run.len();
                    parts.push(format!("`{head}`{sep}STRUCT<{}>", render(&run, ": ")));
                }
            }
        }
        parts.join(", ")
    }
    render(&LEAVES, " ")
}

/// The Arrow type of a leaf (for documentation and tests).
pub fn data_type(t: Ty) -> DataType {
    match t {
        Ty::Str => DataType::Utf8,
        Ty::I32 => DataType::Int32,
        Ty::I64 => DataType::Int64,
        Ty::F64 => DataType::Float64,
        Ty::Bool => DataType::Boolean,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spark_ddl_names_every_leaf_once_nested_like_the_parquet() {
        let ddl = spark_ddl();
        assert!(ddl.starts_with("`time` BIGINT, `class_uid` INT"), "{ddl}");
        assert!(
            ddl.contains("`src_endpoint` STRUCT<`ip`: STRING, `location`: STRUCT<`country`: STRING, `city`: STRING, `lat`: DOUBLE, `long`: DOUBLE>, `autonomous_system`: STRUCT<`number`: BIGINT, `name`: STRING>>"),
            "{ddl}"
        );
        let leaves = ["STRING", "INT", "BIGINT", "DOUBLE", "BOOLEAN"]
            .iter()
            .map(|t| {
                ddl.matches(&format!(" {t}"))
                    .chain(ddl.matches(&format!(": {t}")))
                    .count()
            })
            .sum::<usize>();
        // " STRING" also matches inside ": STRING"; count leaves by their backquoted names instead.
        let names = ddl.matches('`').count() / 2;
        let structs = ddl.matches("STRUCT<").count();
        assert_eq!(names - structs, LEAVES.len());
        assert!(leaves >= LEAVES.len());
        // Every top-level column of the Arrow schema, in order.
        let mut builders: Vec<Builder> = LEAVES.iter().map(|(_, t)| Builder::new(*t)).collect();
        let schema = batch_of(&mut builders).unwrap().schema();
        let top: Vec<String> = schema
            .fields()
            .iter()
            .map(|f| format!("`{}` ", f.name()))
            .collect();
        let mut at = 0;
        for name in top {
            let found = ddl.get(at..).and_then(|rest| rest.find(&name));
            assert!(found.is_some(), "{name} missing or out of order in {ddl}");
            at += found.unwrap_or(0);
        }
    }
}
