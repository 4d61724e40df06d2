import opentype from "opentype.js";

// Text widths from the fonts the PNG is drawn with, for Vega's layout (legend spacing, title and
// label extents, the chart's width). Without a canvas Vega guesses 0.8 em per character, half as
// wide again as DejaVu Sans really is, which leaves gaps and a wide empty margin. Advance widths
// per character, no shaping or kerning: labels are short Latin text, and resvg's kerning moves
// them by a pixel or two at most.

export type TextWidth = (text: string, fontSize: number, bold: boolean) => number;

export function textWidthFrom(regular: Uint8Array, bold: Uint8Array): TextWidth {
  const fonts = [regular, bold].map((b) => opentype.parse(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer));
  const cache = new Map<string, number>();
  return (text, fontSize, isBold) => {
    const font = fonts[isBold ? 1 : 0]!;
    let em = 0;
    for (const c of text) {
      const key = `${isBold ? "b" : "r"}${c}`;
      let w = cache.get(key);
      if (w === undefined) {
        w = font.charToGlyph(c).advanceWidth ?? font.unitsPerEm * 0.6;
        cache.set(key, w);
      }
      em += w;
    }
    return (em / font.unitsPerEm) * fontSize;
  };
}
