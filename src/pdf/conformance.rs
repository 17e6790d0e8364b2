//! The standards a PDF claims (`[pdf] standard`): PDF/UA-1 (ISO 14289-1)
//! and PDF/A-2a (ISO 19005-2), identified in XMP metadata that repeats the
//! Info dictionary, with an sRGB output intent; or none, for a smaller
//! untagged file.
//!
//! The output intent's profile is `sRGB.icc` from Debian's
//! icc-profiles-free (zlib licence, see `sRGB.icc.LICENSE` beside it).

use lopdf::{Dictionary, Object, StringFormat};

use super::file::{Id, PdfFile};

/// What the PDF conforms to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Standard {
    /// Tagged, PDF/UA-1 and PDF/A-2a (the default).
    #[default]
    UaA2,
    /// No tags, no claims.
    None,
}

impl Standard {
    /// The setting's values, as the manifest writes them.
    pub const NAMES: [&'static str; 2] = ["ua-1+a-2", "none"];

    pub fn parse(name: &str) -> Option<Standard> {
        match name {
            "ua-1+a-2" => Some(Standard::UaA2),
            "none" => Some(Standard::None),
            _ => None,
        }
    }

    pub fn tagged(self) -> bool {
        self == Standard::UaA2
    }
}

/// The document's particulars, as both the Info dictionary and the XMP
/// metadata give them.
pub struct Particulars<'a> {
    pub title: &'a str,
    pub author: String,
    pub subject: Option<&'a str>,
    pub keywords: Option<String>,
    pub creator: &'a str,
    pub producer: &'a str,
    pub lang: &'a str,
    /// Seconds since the Unix epoch (UTC).
    pub date: i64,
}

/// The sRGB profile (ICC v2, display class) of the output intent.
const SRGB: &[u8] = include_bytes!("sRGB.icc");

/// Writes the XMP metadata stream and the output intent; the catalog
/// entries that name them.
pub fn objects(
    file: &mut PdfFile,
    p: &Particulars<'_>,
) -> Result<Vec<(&'static str, Object)>, super::PdfError> {
    let xmp = xmp(p);
    // Unfiltered, so that anything reading the file finds the packet.
    let metadata = file.add_stream(
        Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Metadata".to_vec())),
            ("Subtype", Object::Name(b"XML".to_vec())),
        ]),
        xmp.as_bytes(),
    );
    let packed = super::deflate::deflate(SRGB)?;
    let profile = file.add_stream(
        Dictionary::from_iter(vec![
            ("N", Object::Integer(3)),
            ("Filter", Object::Name(b"FlateDecode".to_vec())),
        ]),
        &packed,
    );
    let literal = |s: &str| Object::String(s.as_bytes().to_vec(), StringFormat::Literal);
    let intent = Dictionary::from_iter(vec![
        ("Type", Object::Name(b"OutputIntent".to_vec())),
        ("S", Object::Name(b"GTS_PDFA1".to_vec())),
        ("OutputConditionIdentifier", literal("sRGB IEC61966-2.1")),
        ("Info", literal("sRGB IEC61966-2.1")),
        ("DestOutputProfile", Object::Reference((profile, 0))),
    ]);
    Ok(vec![
        ("Metadata", Object::Reference((metadata as Id, 0))),
        (
            "OutputIntents",
            Object::Array(vec![Object::Dictionary(intent)]),
        ),
    ])
}

/// The XMP packet: Dublin Core title, creator, description, subjects and
/// language; the PDF and XMP basic properties the Info dictionary also
/// holds; the PDF/A and PDF/UA identification, with the extension schema
/// PDF/A asks for the PDF/UA one.
pub fn xmp(p: &Particulars<'_>) -> String {
    let date = xmp_date(p.date);
    let mut d = String::new();
    d.push_str("<dc:format>application/pdf</dc:format>\n");
    d.push_str(&format!(
        "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:title>\n",
        escape(p.title)
    ));
    if !p.author.is_empty() {
        d.push_str(&format!(
            "<dc:creator><rdf:Seq><rdf:li>{}</rdf:li></rdf:Seq></dc:creator>\n",
            escape(&p.author)
        ));
    }
    if let Some(s) = p.subject {
        d.push_str(&format!(
            "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:description>\n",
            escape(s)
        ));
    }
    d.push_str(&format!(
        "<dc:language><rdf:Bag><rdf:li>{}</rdf:li></rdf:Bag></dc:language>\n",
        escape(p.lang)
    ));
    if let Some(k) = &p.keywords {
        d.push_str(&format!("<pdf:Keywords>{}</pdf:Keywords>\n", escape(k)));
    }
    d.push_str(&format!(
        "<pdf:Producer>{}</pdf:Producer>\n<xmp:CreatorTool>{}</xmp:CreatorTool>\n",
        escape(p.producer),
        escape(p.creator)
    ));
    d.push_str(&format!(
        "<xmp:CreateDate>{date}</xmp:CreateDate>\n<xmp:ModifyDate>{date}</xmp:ModifyDate>\n\
         <xmp:MetadataDate>{date}</xmp:MetadataDate>\n"
    ));
    d.push_str(
        "<pdfaid:part>2</pdfaid:part>\n<pdfaid:conformance>A</pdfaid:conformance>\n\
         <pdfuaid:part>1</pdfuaid:part>\n",
    );
    d.push_str(UA_SCHEMA);
    format!(
        "<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
         <x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
         <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
         <rdf:Description rdf:about=\"\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
         xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\" \
         xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" \
         xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\" \
         xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\" \
         xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\" \
         xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\" \
         xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">\n\
         {d}</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"r\"?>"
    )
}

/// pdfuaid is not among the schemas PDF/A-2 knows: it is declared.
const UA_SCHEMA: &str = "<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType=\"Resource\">\n\
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>\n\
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>\n\
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>\n\
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType=\"Resource\">\n\
<pdfaProperty:name>part</pdfaProperty:name>\n\
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>\n\
<pdfaProperty:category>internal</pdfaProperty:category>\n\
<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>\n\
</rdf:li></rdf:Seq></pdfaSchema:property>\n\
</rdf:li></rdf:Bag></pdfaExtension:schemas>\n";

/// `2024-01-01T00:00:00Z` for seconds since the Unix epoch.
fn xmp_date(epoch: i64) -> String {
    let (y, m, d, h, mi, s) = crate::dates::civil(epoch);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// XML text: markup characters escaped, characters XML cannot hold left
/// out.
fn escape(s: &str) -> String {
    crate::xmltext::clean(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_packet_identifies_both_standards_and_escapes_text() {
        let x = xmp(&Particulars {
            title: "A & B <c>",
            author: "张三".to_string(),
            subject: None,
            keywords: None,
            creator: "booklet",
            producer: "booklet",
            lang: "zh-Hans",
            date: 1_704_067_200,
        });
        assert!(x.contains("<pdfuaid:part>1</pdfuaid:part>"));
        assert!(x.contains("<pdfaid:part>2</pdfaid:part>"));
        assert!(x.contains("A &amp; B &lt;c&gt;"));
        assert!(x.contains("<xmp:CreateDate>2024-01-01T00:00:00Z</xmp:CreateDate>"));
        assert_eq!(Standard::parse("none"), Some(Standard::None));
        assert_eq!(Standard::parse("pdf/a"), None);
        // ICC v2, display class, RGB: what PDF/A-2 accepts.
        assert!(SRGB[8] < 5);
        assert_eq!(&SRGB[12..20], b"mntrRGB ");
    }
}
