//! An OpenType font file re-assembled with tables added: the table
//! directory sorted and checksummed, tables 4-byte aligned, and the
//! `head` checksum adjustment recomputed, as the specification asks.

/// `font` (a single-face sfnt) with `extra` tables added; a table of the
/// same tag is replaced.
pub fn with_tables(font: &[u8], extra: Vec<([u8; 4], Vec<u8>)>) -> Result<Vec<u8>, String> {
    let bad = || "a subset font's table directory is damaged".to_string();
    let be16 = |at: usize| -> Result<usize, String> {
        let b = font.get(at..at + 2).ok_or_else(bad)?;
        Ok(usize::from(u16::from_be_bytes([b[0], b[1]])))
    };
    let be32 = |at: usize| -> Result<usize, String> {
        let b = font.get(at..at + 4).ok_or_else(bad)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    let count = be16(4)?;
    let mut tables: Vec<([u8; 4], Vec<u8>)> = Vec::with_capacity(count + extra.len());
    for i in 0..count {
        let record = 12 + 16 * i;
        let tag: [u8; 4] = font
            .get(record..record + 4)
            .ok_or_else(bad)?
            .try_into()
            .map_err(|_| bad())?;
        let (offset, length) = (be32(record + 8)?, be32(record + 12)?);
        let data = font.get(offset..offset + length).ok_or_else(bad)?;
        if !extra.iter().any(|(t, _)| *t == tag) {
            tables.push((tag, data.to_vec()));
        }
    }
    tables.extend(extra);
    tables.sort_by_key(|t| t.0);

    let n = tables.len();
    let size: usize = tables.iter().map(|(_, d)| d.len().div_ceil(4) * 4).sum();
    let mut out = Vec::with_capacity(12 + 16 * n + size);
    out.extend_from_slice(font.get(0..4).ok_or_else(bad)?);
    let (search_range, entry_selector) = search_params(n);
    for v in [
        n as u16,
        search_range,
        entry_selector,
        (n as u16 * 16).saturating_sub(search_range),
    ] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    let mut offset = 12 + 16 * n;
    let mut head_at = None;
    for (tag, data) in &mut tables {
        if tag == b"head" {
            if data.len() < 12 {
                return Err(bad());
            }
            // Zero while summing the whole font.
            data[8..12].copy_from_slice(&[0; 4]);
            head_at = Some(offset);
        }
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        offset += data.len().div_ceil(4) * 4;
    }
    for (_, data) in &tables {
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(4) * 4, 0);
    }
    if let Some(at) = head_at {
        let adjustment = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        out[at + 8..at + 12].copy_from_slice(&adjustment.to_be_bytes());
    }
    Ok(out)
}

/// searchRange and entrySelector of the table directory for `n` tables.
fn search_params(n: usize) -> (u16, u16) {
    let mut power = 1usize;
    let mut log = 0u16;
    while power * 2 <= n {
        power *= 2;
        log += 1;
    }
    ((power * 16) as u16, log)
}

/// The sum of big-endian 32-bit words, the last one zero-padded. Whole
/// words are summed apart from the tail, so that the loop vectorises: a
/// CJK subset is hundreds of kilobytes, summed twice.
fn checksum(data: &[u8]) -> u32 {
    let words = data.chunks_exact(4);
    let tail = words.remainder();
    let sum = words.fold(0u32, |sum, w| {
        sum.wrapping_add(u32::from_be_bytes([w[0], w[1], w[2], w[3]]))
    });
    let mut last = [0u8; 4];
    last[..tail.len()].copy_from_slice(tail);
    sum.wrapping_add(u32::from_be_bytes(last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_parameters() {
        assert_eq!(search_params(1), (16, 0));
        assert_eq!(search_params(12), (128, 3));
        assert_eq!(search_params(16), (256, 4));
        assert_eq!(checksum(&[0, 0, 0, 1, 0, 0, 1]), 1 + 256);
    }
}
