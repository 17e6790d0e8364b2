//! Tagged PDF (ISO 32000-1 §14.7–14.8, PDF/UA-1): the structure tree the
//! typesetter decided ([`Structure`]), written as StructElem objects whose
//! kids are the marked-content sequences (MCIDs) and link annotations the
//! pages drew for them, in the order the pages drew them: that order is the
//! reading order. The pages are written first (streamed); what they marked
//! is gathered here and the tree written at the end, with its ParentTree
//! (MCID → element, per page; annotation → element) and IDTree.

use lopdf::{Dictionary, Object, StringFormat};

use super::file::{Id, PdfFile};
use super::post::text_string;
use crate::typeset::structure::{Artifact, NodeId, Role, Structure, Tag};

/// A kid of a structure element.
#[derive(Debug, Clone, Copy)]
enum Kid {
    /// Marked content `mcid` on page `page`.
    Content {
        page: usize,
        mcid: u32,
    },
    Node(NodeId),
    /// A link annotation (object `id`) on page `page`.
    Annot {
        page: usize,
        id: Id,
    },
}

/// What the pages marked, gathered as they are written.
pub struct Marks {
    kids: Vec<Vec<Kid>>,
    placed: Vec<bool>,
    /// Per page, the element of each MCID (index = MCID).
    pages: Vec<Vec<NodeId>>,
    /// The element of each annotation, by StructParent key − page count.
    annots: Vec<NodeId>,
    page_count: usize,
    root: NodeId,
}

impl Marks {
    pub fn new(structure: &Structure, root: NodeId, page_count: usize) -> Marks {
        let n = structure.nodes.len();
        let mut placed = vec![false; n];
        if let Some(p) = placed.get_mut(root as usize) {
            *p = true;
        }
        Marks {
            kids: vec![Vec::new(); n],
            placed,
            pages: vec![Vec::new(); page_count],
            annots: Vec::new(),
            page_count,
            root,
        }
    }

    /// Places `node` (and its ancestors) in its parent's kids, if not yet:
    /// elements come in the order their first content is drawn.
    fn place(&mut self, structure: &Structure, node: NodeId) {
        let mut chain = Vec::new();
        let mut at = node;
        while !self.placed.get(at as usize).copied().unwrap_or(true) {
            self.placed[at as usize] = true;
            chain.push(at);
            match structure.get(at).and_then(|n| n.parent) {
                Some(p) => at = p,
                None => break,
            }
        }
        for &n in chain.iter().rev() {
            if let Some(p) = structure.get(n).and_then(|n| n.parent) {
                self.kids[p as usize].push(Kid::Node(n));
            }
        }
    }

    /// Page `page` marked its MCIDs 0, 1, … for `nodes`.
    pub fn page(&mut self, structure: &Structure, page: usize, nodes: &[NodeId]) {
        for (mcid, &node) in nodes.iter().enumerate() {
            if node as usize >= self.kids.len() {
                continue;
            }
            self.place(structure, node);
            self.kids[node as usize].push(Kid::Content {
                page,
                mcid: mcid as u32,
            });
        }
        self.pages[page] = nodes.to_vec();
    }

    /// A link annotation (object `id`) of `node` on `page`: its
    /// StructParent key.
    pub fn annot(&mut self, structure: &Structure, node: NodeId, page: usize, id: Id) -> usize {
        self.place(structure, node);
        self.kids[node as usize].push(Kid::Annot { page, id });
        self.annots.push(node);
        self.page_count + self.annots.len() - 1
    }

    /// Nodes nothing was drawn for (an empty table cell, a footnote whose
    /// mark fell out) go after their elder siblings.
    fn place_the_rest(&mut self, structure: &Structure) {
        for id in 0..structure.nodes.len() as NodeId {
            if self.placed[id as usize] {
                continue;
            }
            let Some(parent) = structure.nodes[id as usize].parent else {
                continue;
            };
            self.place(structure, parent);
            self.placed[id as usize] = true;
            let kids = &mut self.kids[parent as usize];
            let at = kids
                .iter()
                .rposition(|k| matches!(k, Kid::Node(n) if *n < id))
                .map_or(0, |i| i + 1);
            kids.insert(at, Kid::Node(id));
        }
    }

    /// Writes the tree: its elements, ParentTree and IDTree, and the
    /// StructTreeRoot as object `root_id`. `pages` are the page objects;
    /// `lang` the document's language.
    pub fn write(
        mut self,
        file: &mut PdfFile,
        structure: &Structure,
        root_id: Id,
        pages: &[Id],
        lang: &str,
    ) -> Result<(), super::PdfError> {
        self.place_the_rest(structure);
        let n = structure.nodes.len();
        let first = file.reserve_many(n);
        let elem = |id: NodeId| Object::Reference((first + id, 0));
        let page_ref = |p: usize| Object::Reference((pages[p], 0));
        // The language each node speaks, to write /Lang only where it
        // changes.
        let mut spoken: Vec<Option<String>> = vec![None; n];
        let mut ids = Vec::new();
        for id in self.order(structure) {
            let node = &structure.nodes[id as usize];
            let outer = node
                .parent
                .and_then(|p| spoken[p as usize].clone())
                .unwrap_or_else(|| lang.to_string());
            let own = node.lang.clone().filter(|l| *l != outer);
            spoken[id as usize] = Some(own.clone().unwrap_or(outer));

            let mut d = Dictionary::new();
            d.set("Type", Object::Name(b"StructElem".to_vec()));
            d.set("S", Object::Name(node.role.name().as_bytes().to_vec()));
            d.set(
                "P",
                match node.parent {
                    Some(p) => elem(p),
                    None => Object::Reference((root_id, 0)),
                },
            );
            let kids = &self.kids[id as usize];
            // Marked content on the element's first page is named by MCID
            // alone (/Pg), elsewhere by a reference to its page.
            let home = kids.iter().find_map(|k| match k {
                Kid::Content { page, .. } => Some(*page),
                _ => None,
            });
            if let Some(page) = home {
                d.set("Pg", page_ref(page));
            }
            let mut k: Vec<Object> = kids
                .iter()
                .map(|kid| match *kid {
                    Kid::Content { page, mcid } if Some(page) == home => {
                        Object::Integer(i64::from(mcid))
                    }
                    Kid::Content { page, mcid } => Object::Dictionary(Dictionary::from_iter(vec![
                        ("Type", Object::Name(b"MCR".to_vec())),
                        ("Pg", page_ref(page)),
                        ("MCID", Object::Integer(i64::from(mcid))),
                    ])),
                    Kid::Node(n) => elem(n),
                    Kid::Annot { page, id } => Object::Dictionary(Dictionary::from_iter(vec![
                        ("Type", Object::Name(b"OBJR".to_vec())),
                        ("Pg", page_ref(page)),
                        ("Obj", Object::Reference((id, 0))),
                    ])),
                })
                .collect();
            match k.len() {
                0 => {}
                1 => d.set("K", k.remove(0)),
                _ => d.set("K", Object::Array(k)),
            }
            if let Some(l) = own {
                d.set("Lang", text_string(&l));
            }
            match node.role {
                Role::Figure => {
                    let alt = node.alt.clone().unwrap_or_default();
                    d.set("Alt", text_string(&alt));
                }
                Role::TH => d.set(
                    "A",
                    Dictionary::from_iter(vec![
                        ("O", Object::Name(b"Table".to_vec())),
                        ("Scope", Object::Name(b"Column".to_vec())),
                    ]),
                ),
                Role::L { numbered } => d.set(
                    "A",
                    Dictionary::from_iter(vec![
                        ("O", Object::Name(b"List".to_vec())),
                        (
                            "ListNumbering",
                            Object::Name(if numbered {
                                b"Decimal".to_vec()
                            } else {
                                b"Disc".to_vec()
                            }),
                        ),
                    ]),
                ),
                Role::Note => {
                    let name = note_id(id);
                    d.set(
                        "ID",
                        Object::String(name.clone().into_bytes(), StringFormat::Literal),
                    );
                    ids.push((name, id));
                }
                _ => {}
            }
            file.pack(first + id, Object::Dictionary(d))?;
        }

        let mut nums = Vec::new();
        for (page, nodes) in self.pages.iter().enumerate() {
            if nodes.is_empty() {
                continue;
            }
            nums.push(Object::Integer(page as i64));
            nums.push(Object::Array(nodes.iter().map(|&n| elem(n)).collect()));
        }
        for (k, &node) in self.annots.iter().enumerate() {
            nums.push(Object::Integer((self.page_count + k) as i64));
            nums.push(elem(node));
        }
        let parent_tree = file.reserve();
        file.pack(
            parent_tree,
            Object::Dictionary(Dictionary::from_iter(vec![("Nums", Object::Array(nums))])),
        )?;
        let mut root = Dictionary::from_iter(vec![
            ("Type", Object::Name(b"StructTreeRoot".to_vec())),
            ("K", elem(self.root)),
            ("ParentTree", Object::Reference((parent_tree, 0))),
            (
                "ParentTreeNextKey",
                Object::Integer((self.page_count + self.annots.len()) as i64),
            ),
        ]);
        if !ids.is_empty() {
            ids.sort();
            let names = ids
                .into_iter()
                .flat_map(|(name, id)| {
                    [
                        Object::String(name.into_bytes(), StringFormat::Literal),
                        elem(id),
                    ]
                })
                .collect();
            root.set(
                "IDTree",
                Dictionary::from_iter(vec![("Names", Object::Array(names))]),
            );
        }
        file.pack(root_id, Object::Dictionary(root))
    }

    /// Every node, parents before children (a node's /Lang depends on its
    /// parent's).
    fn order(&self, structure: &Structure) -> Vec<NodeId> {
        let mut out = Vec::with_capacity(structure.nodes.len());
        let mut stack = vec![self.root];
        let mut seen = vec![false; structure.nodes.len()];
        while let Some(id) = stack.pop() {
            if std::mem::replace(&mut seen[id as usize], true) {
                continue;
            }
            out.push(id);
            for kid in self.kids[id as usize].iter().rev() {
                if let Kid::Node(n) = kid {
                    stack.push(*n);
                }
            }
        }
        // Anything not under the root (none when the typesetter is right)
        // still gets written, so that no reference dangles.
        out.extend((0..structure.nodes.len() as NodeId).filter(|&i| !seen[i as usize]));
        out
    }
}

/// A footnote's ID in the IDTree.
fn note_id(node: NodeId) -> String {
    format!("note{node}")
}

/// The tag a marked-content sequence opens with, and its properties: the
/// node's structure type and MCID, or an artifact's kind.
pub fn opening(structure: &Structure, tag: Tag, mcid: u32) -> (String, Vec<(&'static str, Mark)>) {
    match tag {
        Tag::Node(n) => {
            let role = structure.get(n).map_or(Role::P, |n| n.role);
            (role.name().to_string(), vec![("MCID", Mark::Int(mcid))])
        }
        Tag::Artifact(a) => {
            let props = match a {
                Artifact::Header => vec![
                    ("Type", Mark::Name("Pagination")),
                    ("Subtype", Mark::Name("Header")),
                ],
                Artifact::Footer => vec![
                    ("Type", Mark::Name("Pagination")),
                    ("Subtype", Mark::Name("Footer")),
                ],
                Artifact::Layout => vec![("Type", Mark::Name("Layout"))],
            };
            ("Artifact".to_string(), props)
        }
    }
}

/// A value in a marked-content property list.
#[derive(Debug, Clone, Copy)]
pub enum Mark {
    Int(u32),
    Name(&'static str),
}
