//! The PDF file itself (PDF 32000-1 §7.5): objects written one after the
//! other as they are ready, each numbered when it is reserved, and a
//! cross-reference stream at the end. Nothing is held but the bytes
//! written and one offset per object, so a 3,000-page book costs no more
//! per page than a short one, and no pass over the finished objects
//! (pruning, renumbering) is needed.

use lopdf::{Dictionary, Object, StringFormat};

use super::PdfError;

/// An object number; every object is generation 0.
pub type Id = u32;

pub struct PdfFile {
    out: Vec<u8>,
    /// Byte offset of each object, by number (0: not written yet).
    offsets: Vec<usize>,
    /// Objects written inside an object stream: (number, stream, index).
    packed: Vec<(Id, Id, u32)>,
    /// Objects to be packed, written a stream's worth at a time.
    pending: Vec<(Id, Object)>,
}

impl PdfFile {
    /// A file with room for `capacity` bytes, its header written.
    pub fn new(capacity: usize) -> PdfFile {
        let mut out = Vec::with_capacity(capacity);
        // The comment of high bytes marks the file as binary (§7.5.2).
        out.extend_from_slice(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");
        PdfFile {
            out,
            // Object 0 is the head of the free list.
            offsets: vec![0],
            packed: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// The number of an object to be written later (references to it can
    /// be written before it is).
    pub fn reserve(&mut self) -> Id {
        self.offsets.push(0);
        (self.offsets.len() - 1) as Id
    }

    /// `n` consecutive numbers; the first.
    pub fn reserve_many(&mut self, n: usize) -> Id {
        let first = self.offsets.len() as Id;
        self.offsets.resize(self.offsets.len() + n, 0);
        first
    }

    /// Writes `object` as object `id`.
    pub fn object(&mut self, id: Id, object: &Object) {
        self.begin(id);
        write_object(&mut self.out, object);
        self.out.extend_from_slice(b"\nendobj\n");
    }

    /// Writes a new object; its number.
    pub fn add(&mut self, object: &Object) -> Id {
        let id = self.reserve();
        self.object(id, object);
        id
    }

    /// Writes a stream as object `id`: `dict` (its /Length is set here) and
    /// `content`, filtered as `dict` says.
    pub fn stream(&mut self, id: Id, mut dict: Dictionary, content: &[u8]) {
        dict.set("Length", Object::Integer(content.len() as i64));
        self.begin(id);
        write_dictionary(&mut self.out, &dict);
        self.out.extend_from_slice(b"\nstream\n");
        self.out.extend_from_slice(content);
        self.out.extend_from_slice(b"\nendstream\nendobj\n");
    }

    /// Writes a new stream; its number.
    pub fn add_stream(&mut self, dict: Dictionary, content: &[u8]) -> Id {
        let id = self.reserve();
        self.stream(id, dict, content);
        id
    }

    /// Writes `object` (not a stream) as object `id`, deflated together
    /// with others in an object stream (§7.5.7): small dictionaries by the
    /// thousand (the structure tree) shrink to a fraction. A stream's worth
    /// is held at most, so a long book's tree is never held whole.
    pub fn pack(&mut self, id: Id, object: Object) -> Result<(), PdfError> {
        self.pending.push((id, object));
        if self.pending.len() == PACKED_PER_STREAM {
            self.pack_pending()?;
        }
        Ok(())
    }

    fn pack_pending(&mut self) -> Result<(), PdfError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let objects = std::mem::take(&mut self.pending);
        self.pack_chunk(&objects)
    }

    fn pack_chunk(&mut self, objects: &[(Id, Object)]) -> Result<(), PdfError> {
        let mut head = String::new();
        let mut body = Vec::new();
        for (id, object) in objects {
            head.push_str(&format!("{id} {} ", body.len()));
            write_object(&mut body, object);
            body.push(b'\n');
        }
        let first = head.len();
        let mut content = head.into_bytes();
        content.extend_from_slice(&body);
        let deflated = super::deflate::deflate(&content)?;
        let stream = self.reserve();
        self.stream(
            stream,
            Dictionary::from_iter(vec![
                ("Type", Object::Name(b"ObjStm".to_vec())),
                ("N", Object::Integer(objects.len() as i64)),
                ("First", Object::Integer(first as i64)),
                ("Filter", Object::Name(b"FlateDecode".to_vec())),
            ]),
            &deflated,
        );
        for (index, (id, _)) in objects.iter().enumerate() {
            self.packed.push((*id, stream, index as u32));
            // Written: not a dangling reservation.
            self.offsets[*id as usize] = usize::MAX;
        }
        Ok(())
    }

    fn begin(&mut self, id: Id) {
        self.offsets[id as usize] = self.out.len();
        self.out.extend_from_slice(itoa(id as i64).as_bytes());
        self.out.extend_from_slice(b" 0 obj\n");
    }

    /// Ends the file with its cross-reference stream, whose dictionary is
    /// also the trailer (`trailer` gives /Root, /Info, /ID). An object
    /// reserved but never written is an error: a reference to it would
    /// dangle.
    pub fn finish(mut self, mut trailer: Dictionary) -> Result<Vec<u8>, PdfError> {
        self.pack_pending()?;
        let id = self.reserve();
        if let Some(missing) = self.offsets[1..id as usize].iter().position(|&o| o == 0) {
            return Err(PdfError::Dangling(missing as Id + 1));
        }
        let at = self.out.len();
        self.offsets[id as usize] = at;
        // Type 1 rows (§7.5.8.3): type, offset, generation; wide enough
        // for any offset this file has.
        // Type 2 rows: the object stream and the index in it.
        let mut inside = vec![None; self.offsets.len()];
        for &(object, stream, index) in &self.packed {
            inside[object as usize] = Some((stream, index));
        }
        let widest = at.max(self.offsets.len());
        let width = (usize::BITS - widest.leading_zeros()).div_ceil(8).max(1) as usize;
        let mut rows = Vec::with_capacity(self.offsets.len() * (width + 2));
        for (n, &offset) in self.offsets.iter().enumerate() {
            let (kind, field, last) = match inside[n] {
                _ if n == 0 => (0, 0, 0xFF),
                Some((stream, index)) => (2, stream as usize, index),
                None => (1, offset, 0),
            };
            rows.push(kind);
            rows.extend_from_slice(&field.to_be_bytes()[size_of::<usize>() - width..]);
            // The index is one byte wide; an object stream holds no more.
            rows.push(last as u8);
        }
        let packed = super::deflate::deflate(&rows)?;
        trailer.set("Type", Object::Name(b"XRef".to_vec()));
        trailer.set("Size", Object::Integer(self.offsets.len() as i64));
        trailer.set(
            "W",
            Object::Array(vec![
                Object::Integer(1),
                Object::Integer(width as i64),
                Object::Integer(1),
            ]),
        );
        trailer.set("Filter", Object::Name(b"FlateDecode".to_vec()));
        self.stream(id, trailer, &packed);
        self.out.extend_from_slice(b"startxref\n");
        self.out.extend_from_slice(itoa(at as i64).as_bytes());
        self.out.extend_from_slice(b"\n%%EOF\n");
        Ok(self.out)
    }
}

/// Objects per object stream: the cross-reference rows give the index in
/// one byte.
const PACKED_PER_STREAM: usize = 256;

fn itoa(v: i64) -> String {
    v.to_string()
}

/// Whether a space must separate `object` from what precedes it.
fn needs_space(object: &Object) -> bool {
    matches!(
        object,
        Object::Null
            | Object::Boolean(_)
            | Object::Integer(_)
            | Object::Real(_)
            | Object::Reference(_)
    )
}

/// Serialises a direct object as lopdf's writer does (§7.3).
pub fn write_object(out: &mut Vec<u8>, object: &Object) {
    match object {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(true) => out.extend_from_slice(b"true"),
        Object::Boolean(false) => out.extend_from_slice(b"false"),
        Object::Integer(v) => out.extend_from_slice(itoa(*v).as_bytes()),
        Object::Real(v) => write_real(out, *v),
        Object::Name(name) => write_name(out, name),
        Object::String(text, format) => write_string(out, text, *format),
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 && needs_space(item) {
                    out.push(b' ');
                }
                write_object(out, item);
            }
            out.push(b']');
        }
        Object::Dictionary(dict) => write_dictionary(out, dict),
        Object::Stream(_) => {
            // Streams are indirect objects only (§7.3.8): see PdfFile::stream.
            out.extend_from_slice(b"null");
        }
        Object::Reference((id, generation)) => {
            out.extend_from_slice(format!("{id} {generation} R").as_bytes());
        }
    }
}

/// A real as the shortest decimal that reads back the same, never in
/// exponent form (which PDF does not have).
pub fn write_real(out: &mut Vec<u8>, v: f32) {
    if !v.is_finite() {
        out.push(b'0');
        return;
    }
    let s = v.to_string();
    if s.contains('e') {
        out.extend_from_slice(format!("{v:.6}").trim_end_matches('0').as_bytes());
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

fn write_dictionary(out: &mut Vec<u8>, dict: &Dictionary) {
    out.extend_from_slice(b"<<");
    for (key, value) in dict {
        write_name(out, key);
        if needs_space(value) {
            out.push(b' ');
        }
        write_object(out, value);
    }
    out.extend_from_slice(b">>");
}

fn write_name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    for &byte in name {
        // Delimiters, white space and bytes outside ! to ~ as #XX (§7.3.5).
        if b" \t\n\r\x0C()<>[]{}/%#".contains(&byte) || !(33..=126).contains(&byte) {
            out.extend_from_slice(format!("#{byte:02X}").as_bytes());
        } else {
            out.push(byte);
        }
    }
}

fn write_string(out: &mut Vec<u8>, text: &[u8], format: StringFormat) {
    match format {
        StringFormat::Literal => {
            // Every parenthesis and backslash escaped: balanced or not, the
            // string reads the same (§7.3.4.2).
            out.push(b'(');
            for &byte in text {
                match byte {
                    b'(' | b')' | b'\\' => {
                        out.push(b'\\');
                        out.push(byte);
                    }
                    b'\r' => out.extend_from_slice(b"\\r"),
                    _ => out.push(byte),
                }
            }
            out.push(b')');
        }
        StringFormat::Hexadecimal => {
            out.push(b'<');
            for &byte in text {
                out.extend_from_slice(&HEX_DIGITS[usize::from(byte)]);
            }
            out.push(b'>');
        }
    }
}

/// Each byte's two upper-case hex digits.
static HEX_DIGITS: [[u8; 2]; 256] = {
    let digits = b"0123456789ABCDEF";
    let mut table = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = [digits[i >> 4], digits[i & 15]];
        i += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_serialise_as_pdf_syntax() {
        let mut out = Vec::new();
        let dict = Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Page".to_vec())),
            ("N", Object::Name(b"a b#".to_vec())),
            (
                "A",
                Object::Array(vec![
                    Object::Integer(1),
                    Object::Real(0.5),
                    Object::Reference((3, 0)),
                    Object::Null,
                ]),
            ),
            (
                "S",
                Object::String(b"a(b\\".to_vec(), StringFormat::Literal),
            ),
            (
                "H",
                Object::String(vec![0xFE, 0xFF], StringFormat::Hexadecimal),
            ),
        ]);
        write_object(&mut out, &Object::Dictionary(dict));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<</Type/Page/N/a#20b#23/A[1 0.5 3 0 R null]/S(a\\(b\\\\)/H<FEFF>>>"
        );
        let mut r = Vec::new();
        write_real(&mut r, 1e-7);
        assert!(!String::from_utf8(r).unwrap().contains('e'));
    }

    #[test]
    fn a_file_reads_back() {
        let mut file = PdfFile::new(1024);
        let catalog = file.reserve();
        let pages = file.reserve();
        let page = file.reserve();
        let content = file.add_stream(Dictionary::new(), b"BT ET");
        file.object(
            page,
            &Object::Dictionary(Dictionary::from_iter(vec![
                ("Type", Object::Name(b"Page".to_vec())),
                ("Parent", Object::Reference((pages, 0))),
                (
                    "MediaBox",
                    Object::Array(vec![0.into(), 0.into(), 100.into(), 100.into()]),
                ),
                ("Contents", Object::Reference((content, 0))),
            ])),
        );
        file.object(
            pages,
            &Object::Dictionary(Dictionary::from_iter(vec![
                ("Type", Object::Name(b"Pages".to_vec())),
                ("Kids", Object::Array(vec![Object::Reference((page, 0))])),
                ("Count", Object::Integer(1)),
            ])),
        );
        file.object(
            catalog,
            &Object::Dictionary(Dictionary::from_iter(vec![
                ("Type", Object::Name(b"Catalog".to_vec())),
                ("Pages", Object::Reference((pages, 0))),
            ])),
        );
        let bytes = file
            .finish(Dictionary::from_iter(vec![(
                "Root",
                Object::Reference((catalog, 0)),
            )]))
            .unwrap();
        let doc = lopdf::Document::load_mem(&bytes).expect("parses");
        assert_eq!(doc.get_pages().len(), 1);
        // Objects in an object stream read back through type 2 rows,
        // more than one stream's worth of them too.
        let mut file = PdfFile::new(1024);
        let catalog = file.reserve();
        let pages = file.reserve();
        let extra: Vec<(Id, Object)> = (0..300)
            .map(|i| (file.reserve(), Object::Integer(i)))
            .collect();
        let mut packed = vec![
            (
                pages,
                Object::Dictionary(Dictionary::from_iter(vec![
                    ("Type", Object::Name(b"Pages".to_vec())),
                    ("Kids", Object::Array(vec![])),
                    ("Count", Object::Integer(0)),
                ])),
            ),
            (
                catalog,
                Object::Dictionary(Dictionary::from_iter(vec![
                    ("Type", Object::Name(b"Catalog".to_vec())),
                    ("Pages", Object::Reference((pages, 0))),
                ])),
            ),
        ];
        packed.extend(extra.iter().cloned());
        for (id, object) in packed {
            file.pack(id, object).unwrap();
        }
        let bytes = file
            .finish(Dictionary::from_iter(vec![(
                "Root",
                Object::Reference((catalog, 0)),
            )]))
            .unwrap();
        let doc = lopdf::Document::load_mem(&bytes).expect("parses");
        assert!(doc.catalog().is_ok());
        let last = extra.last().unwrap().0;
        assert_eq!(doc.get_object((last, 0)).unwrap(), &Object::Integer(299));
        // An object reserved and never written is refused.
        let mut file = PdfFile::new(64);
        file.reserve();
        assert!(file.finish(Dictionary::new()).is_err());
    }
}
