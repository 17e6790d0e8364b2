//! The book's logical structure, decided while it is set: which heading,
//! paragraph, list item, table cell or figure each drawing belongs to, and
//! which drawings are page furniture (running heads, folios, rules,
//! leaders). A writer turns it into its own form (the PDF's structure tree
//! and marked content) without reading the text again.

/// A node of the structure, by its index in [`Structure::nodes`].
pub type NodeId = u32;

/// What a node is. The names are PDF 1.7's standard structure types
/// (ISO 32000-1 §14.8.4), which screen readers know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Document,
    /// An article.
    Sect,
    /// A heading, 1 to 6, never deeper than one below the one before.
    H(u8),
    P,
    BlockQuote,
    /// A list, numbered or bulleted.
    L {
        numbered: bool,
    },
    LI,
    /// A list item's number or bullet.
    Lbl,
    LBody,
    Table,
    TR,
    /// A header cell of a column.
    TH,
    TD,
    Figure,
    Caption,
    /// A footnote's text.
    Note,
    /// A footnote's mark in the text.
    Reference,
    Link,
    Code,
    /// The table of contents, and each of its entries.
    Toc,
    TocItem,
}

impl Role {
    /// The standard structure type's name.
    pub fn name(self) -> &'static str {
        match self {
            Role::Document => "Document",
            Role::Sect => "Sect",
            Role::H(level) => match level {
                0 | 1 => "H1",
                2 => "H2",
                3 => "H3",
                4 => "H4",
                5 => "H5",
                _ => "H6",
            },
            Role::P => "P",
            Role::BlockQuote => "BlockQuote",
            Role::L { .. } => "L",
            Role::LI => "LI",
            Role::Lbl => "Lbl",
            Role::LBody => "LBody",
            Role::Table => "Table",
            Role::TR => "TR",
            Role::TH => "TH",
            Role::TD => "TD",
            Role::Figure => "Figure",
            Role::Caption => "Caption",
            Role::Note => "Note",
            Role::Reference => "Reference",
            Role::Link => "Link",
            Role::Code => "Code",
            Role::Toc => "TOC",
            Role::TocItem => "TOCI",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub role: Role,
    pub parent: Option<NodeId>,
    /// Its language, where it differs from its parent's (BCP 47).
    pub lang: Option<String>,
    /// A figure's description, a link's destination in words.
    pub alt: Option<String>,
}

/// Every node, parents before their children.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Structure {
    pub nodes: Vec<Node>,
}

impl Structure {
    pub fn add(&mut self, role: Role, parent: Option<NodeId>) -> NodeId {
        self.nodes.push(Node {
            role,
            parent,
            lang: None,
            alt: None,
        });
        (self.nodes.len() - 1) as NodeId
    }

    pub fn node_mut(&mut self, id: NodeId) -> &mut Node {
        &mut self.nodes[id as usize]
    }

    pub fn get(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id as usize)
    }

    /// Takes `other`'s nodes after this one's; their new numbers are
    /// theirs plus the returned offset.
    pub fn absorb(&mut self, other: Structure) -> NodeId {
        let offset = self.nodes.len() as NodeId;
        self.nodes.extend(other.nodes.into_iter().map(|mut n| {
            n.parent = n.parent.map(|p| p + offset);
            n
        }));
        offset
    }
}

/// Page furniture: drawn, but no part of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Artifact {
    /// The running head and its rule.
    Header,
    /// The folio.
    Footer,
    /// Rules, frames, leaders, emphasis dots.
    Layout,
}

/// What a drawing is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tag {
    Node(NodeId),
    Artifact(Artifact),
}

impl Tag {
    /// The tag with its node renumbered by `offset`.
    pub fn offset(self, offset: NodeId) -> Tag {
        match self {
            Tag::Node(n) => Tag::Node(n + offset),
            a => a,
        }
    }
}

impl Default for Tag {
    fn default() -> Tag {
        Tag::Artifact(Artifact::Layout)
    }
}

/// Part of a line that belongs to a node below the line's own (a link, a
/// footnote mark): glyphs `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: u16,
    pub end: u16,
    pub node: NodeId,
}
