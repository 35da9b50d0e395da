//! zhixing-domain: the pure core of zhixing.
//!
//! Types, legal rules and arithmetic of court enforcement (执行). No I/O, no async, no SQL, no HTTP:
//! everything here is a function of its arguments, so "today" is always passed in.
//! Every legal rule names its source (regulation and article) beside it.

pub mod assignment;
pub mod audit;
pub mod calendar;
pub mod case;
pub mod case_number;
pub mod consumption;
pub mod court;
pub mod credit_code;
pub mod deadline;
pub mod duty;
pub mod error;
pub mod funds;
pub mod id_number;
pub mod measure;
pub mod money;
pub mod party;
pub mod role;
pub mod time;
pub mod triage;

pub use error::{FieldError, RuleError};
