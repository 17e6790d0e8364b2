//! The print PDF back end (typesetter). Not built yet: see issue 3.

use crate::build::Prepared;
use crate::diag::{Diagnostic, Diagnostics};

pub fn render(_prepared: &Prepared, diags: &mut Diagnostics) -> Option<Vec<u8>> {
    diags.push(Diagnostic::warning(
        "the PDF back end is not available yet; only the EPUB was built",
    ));
    None
}
