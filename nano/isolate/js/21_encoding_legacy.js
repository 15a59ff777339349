// The Encoding Standard's legacy multi-byte decoders: gb18030 (also GBK's decoder),
// Big5, EUC-JP, ISO-2022-JP, Shift_JIS and EUC-KR.
// Spec: https://encoding.spec.whatwg.org/#legacy-multi-byte-chinese-(simplified)-encodings
// and the sections after it, up to EUC-KR.
// Host operations: none.
//
// Each decoder is a spec-shaped handler object {restored, handle(byte)} run by
// 20_encoding.js's GenericMachine: handle() gets a byte or EOQ and returns a code point,
// CONTINUE, ERROR or FINISHED; "restore to ioQueue" pushes onto `restored`. Index tables
// come from nano.encodingIndex(name), unpacked when a decoder is first constructed.

const Int32ArrayCtor = Int32Array;
const { EOQ, CONTINUE, ERROR, FINISHED, emit } = nano.encodingHandler;
const encodingIndex = nano.encodingIndex;

// "Restore to ioQueue": the bytes are read again, in order, before any new input.
function restore(list, a, b, c) {
  list[list.length] = a;
  if (b !== undefined) list[list.length] = b;
  if (c !== undefined) list[list.length] = c;
}

function isAscii(b) {
  return b >= 0 && b < 0x80;
}

// https://encoding.spec.whatwg.org/#index-gb18030-ranges-code-point
let rangePointers = null;
let rangeCodePoints = null;

function gb18030RangesCodePoint(pointer) {
  if ((pointer > 39419 && pointer < 189000) || pointer > 1237575) return -1;
  if (pointer === 7457) return 0xe7c7;
  if (pointer >= 189000) return 0x10000 + pointer - 189000;
  if (rangePointers === null) {
    const flat = nano.encodingTables().gb18030Ranges;
    rangePointers = new Int32ArrayCtor(flat.length / 2);
    rangeCodePoints = new Int32ArrayCtor(flat.length / 2);
    for (let i = 0; i < rangePointers.length; i++) {
      rangePointers[i] = flat[2 * i];
      rangeCodePoints[i] = flat[2 * i + 1];
    }
  }
  // The last range whose pointer is <= pointer (binary search).
  let lo = 0;
  let hi = rangePointers.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (rangePointers[mid] <= pointer) lo = mid;
    else hi = mid - 1;
  }
  return rangeCodePoints[lo] + pointer - rangePointers[lo];
}

class Gb18030Decoder {
  constructor() {
    this.restored = [];
    this.index = encodingIndex("gb18030");
    this.first = 0;
    this.second = 0;
    this.third = 0;
  }

  handle(b) {
    if (b === EOQ) {
      if (this.first === 0 && this.second === 0 && this.third === 0) return FINISHED;
      this.first = this.second = this.third = 0;
      return ERROR;
    }
    if (this.third !== 0) {
      if (b < 0x30 || b > 0x39) {
        restore(this.restored, this.second, this.third, b);
        this.first = this.second = this.third = 0;
        return ERROR;
      }
      const cp = gb18030RangesCodePoint((this.first - 0x81) * 12600 + (this.second - 0x30) * 1260 +
        (this.third - 0x81) * 10 + b - 0x30);
      this.first = this.second = this.third = 0;
      return cp < 0 ? ERROR : cp;
    }
    if (this.second !== 0) {
      if (b >= 0x81 && b <= 0xfe) {
        this.third = b;
        return CONTINUE;
      }
      restore(this.restored, this.second, b);
      this.first = this.second = 0;
      return ERROR;
    }
    if (this.first !== 0) {
      if (b >= 0x30 && b <= 0x39) {
        this.second = b;
        return CONTINUE;
      }
      const lead = this.first;
      this.first = 0;
      if ((b >= 0x40 && b <= 0x7e) || (b >= 0x80 && b <= 0xfe)) {
        const cp = this.index[(lead - 0x81) * 190 + b - (b < 0x7f ? 0x40 : 0x41)];
        if (cp >= 0) return cp;
      }
      if (isAscii(b)) restore(this.restored, b);
      return ERROR;
    }
    if (b < 0x80) return b;
    if (b === 0x80) return 0x20ac;
    if (b <= 0xfe) {
      this.first = b;
      return CONTINUE;
    }
    return ERROR;
  }
}

class Big5Decoder {
  constructor() {
    this.restored = [];
    this.index = encodingIndex("big5");
    this.lead = 0;
  }

  handle(b) {
    if (b === EOQ) {
      if (this.lead === 0) return FINISHED;
      this.lead = 0;
      return ERROR;
    }
    if (this.lead !== 0) {
      const lead = this.lead;
      this.lead = 0;
      if ((b >= 0x40 && b <= 0x7e) || (b >= 0xa1 && b <= 0xfe)) {
        const pointer = (lead - 0x81) * 157 + b - (b < 0x7f ? 0x40 : 0x62);
        // The four pointers that decode to two code points.
        switch (pointer) {
          case 1133: emit(0x00ca); return 0x0304;
          case 1135: emit(0x00ca); return 0x030c;
          case 1164: emit(0x00ea); return 0x0304;
          case 1166: emit(0x00ea); return 0x030c;
        }
        const cp = pointer < this.index.length ? this.index[pointer] : -1;
        if (cp >= 0) return cp;
      }
      if (isAscii(b)) restore(this.restored, b);
      return ERROR;
    }
    if (b < 0x80) return b;
    if (b >= 0x81 && b <= 0xfe) {
      this.lead = b;
      return CONTINUE;
    }
    return ERROR;
  }
}

class EucJpDecoder {
  constructor() {
    this.restored = [];
    this.jis0208 = encodingIndex("jis0208");
    this.jis0212 = null;
    this.useJis0212 = false;
    this.lead = 0;
  }

  handle(b) {
    if (b === EOQ) {
      if (this.lead === 0) return FINISHED;
      this.lead = 0;
      return ERROR;
    }
    if (this.lead === 0x8e && b >= 0xa1 && b <= 0xdf) {
      this.lead = 0;
      return 0xff61 - 0xa1 + b;
    }
    if (this.lead === 0x8f && b >= 0xa1 && b <= 0xfe) {
      this.useJis0212 = true;
      this.lead = b;
      return CONTINUE;
    }
    if (this.lead !== 0) {
      const lead = this.lead;
      this.lead = 0;
      let cp = -1;
      if (lead >= 0xa1 && lead <= 0xfe && b >= 0xa1 && b <= 0xfe) {
        let index = this.jis0208;
        if (this.useJis0212) {
          if (this.jis0212 === null) this.jis0212 = encodingIndex("jis0212");
          index = this.jis0212;
        }
        const pointer = (lead - 0xa1) * 94 + b - 0xa1;
        if (pointer < index.length) cp = index[pointer];
      }
      this.useJis0212 = false;
      if (cp >= 0) return cp;
      if (isAscii(b)) restore(this.restored, b);
      return ERROR;
    }
    if (b < 0x80) return b;
    if (b === 0x8e || b === 0x8f || (b >= 0xa1 && b <= 0xfe)) {
      this.lead = b;
      return CONTINUE;
    }
    return ERROR;
  }
}

// ISO-2022-JP decoder states.
const ASCII = 0;
const ROMAN = 1;
const KATAKANA = 2;
const LEAD_BYTE = 3;
const TRAIL_BYTE = 4;
const ESCAPE_START = 5;
const ESCAPE = 6;

class Iso2022JpDecoder {
  constructor() {
    this.restored = [];
    this.index = encodingIndex("jis0208");
    this.state = ASCII;
    this.outputState = ASCII;
    this.lead = 0;
    this.output = false;
  }

  handle(b) {
    switch (this.state) {
      case ASCII:
      case ROMAN:
        if (b === 0x1b) {
          this.state = ESCAPE_START;
          return CONTINUE;
        }
        if (b === EOQ) return FINISHED;
        this.output = false;
        if (b < 0x80 && b !== 0x0e && b !== 0x0f) {
          if (this.state === ROMAN) {
            if (b === 0x5c) return 0xa5;
            if (b === 0x7e) return 0x203e;
          }
          return b;
        }
        return ERROR;
      case KATAKANA:
        if (b === 0x1b) {
          this.state = ESCAPE_START;
          return CONTINUE;
        }
        if (b === EOQ) return FINISHED;
        this.output = false;
        if (b >= 0x21 && b <= 0x5f) return 0xff61 - 0x21 + b;
        return ERROR;
      case LEAD_BYTE:
        if (b === 0x1b) {
          this.state = ESCAPE_START;
          return CONTINUE;
        }
        if (b === EOQ) return FINISHED;
        this.output = false;
        if (b >= 0x21 && b <= 0x7e) {
          this.lead = b;
          this.state = TRAIL_BYTE;
          return CONTINUE;
        }
        return ERROR;
      case TRAIL_BYTE:
        if (b === 0x1b) {
          this.state = ESCAPE_START;
          return ERROR;
        }
        this.state = LEAD_BYTE;
        if (b >= 0x21 && b <= 0x7e) {
          const cp = this.index[(this.lead - 0x21) * 94 + b - 0x21];
          return cp >= 0 ? cp : ERROR;
        }
        return ERROR;
      case ESCAPE_START:
        if (b === 0x24 || b === 0x28) {
          this.lead = b;
          this.state = ESCAPE;
          return CONTINUE;
        }
        if (b !== EOQ) restore(this.restored, b);
        this.output = false;
        this.state = this.outputState;
        return ERROR;
      default: {
        // ESCAPE
        const lead = this.lead;
        this.lead = 0;
        let state = -1;
        if (lead === 0x28) {
          if (b === 0x42) state = ASCII;
          else if (b === 0x4a) state = ROMAN;
          else if (b === 0x49) state = KATAKANA;
        } else if (lead === 0x24 && (b === 0x40 || b === 0x42)) {
          state = LEAD_BYTE;
        }
        if (state >= 0) {
          this.state = this.outputState = state;
          const output = this.output;
          this.output = true;
          return output ? ERROR : CONTINUE;
        }
        if (b === EOQ) restore(this.restored, lead);
        else restore(this.restored, lead, b);
        this.output = false;
        this.state = this.outputState;
        return ERROR;
      }
    }
  }
}

class ShiftJisDecoder {
  constructor() {
    this.restored = [];
    this.index = encodingIndex("jis0208");
    this.lead = 0;
  }

  handle(b) {
    if (b === EOQ) {
      if (this.lead === 0) return FINISHED;
      this.lead = 0;
      return ERROR;
    }
    if (this.lead !== 0) {
      const lead = this.lead;
      this.lead = 0;
      if ((b >= 0x40 && b <= 0x7e) || (b >= 0x80 && b <= 0xfc)) {
        const pointer = (lead - (lead < 0xa0 ? 0x81 : 0xc1)) * 188 + b - (b < 0x7f ? 0x40 : 0x41);
        // EUDC: the user-defined area maps to the Private Use Area.
        if (pointer >= 8836 && pointer <= 10715) return 0xe000 - 8836 + pointer;
        const cp = pointer < this.index.length ? this.index[pointer] : -1;
        if (cp >= 0) return cp;
      }
      if (isAscii(b)) restore(this.restored, b);
      return ERROR;
    }
    if (b <= 0x80) return b;
    if (b >= 0xa1 && b <= 0xdf) return 0xff61 - 0xa1 + b;
    if ((b >= 0x81 && b <= 0x9f) || (b >= 0xe0 && b <= 0xfc)) {
      this.lead = b;
      return CONTINUE;
    }
    return ERROR;
  }
}

class EucKrDecoder {
  constructor() {
    this.restored = [];
    this.index = encodingIndex("euc-kr");
    this.lead = 0;
  }

  handle(b) {
    if (b === EOQ) {
      if (this.lead === 0) return FINISHED;
      this.lead = 0;
      return ERROR;
    }
    if (this.lead !== 0) {
      const lead = this.lead;
      this.lead = 0;
      if (b >= 0x41 && b <= 0xfe) {
        const pointer = (lead - 0x81) * 190 + b - 0x41;
        const cp = pointer < this.index.length ? this.index[pointer] : -1;
        if (cp >= 0) return cp;
      }
      if (isAscii(b)) restore(this.restored, b);
      return ERROR;
    }
    if (b < 0x80) return b;
    if (b >= 0x81 && b <= 0xfe) {
      this.lead = b;
      return CONTINUE;
    }
    return ERROR;
  }
}

const legacy = nano.legacyDecoders;
legacy.gbk = () => new Gb18030Decoder();
legacy.gb18030 = () => new Gb18030Decoder();
legacy.big5 = () => new Big5Decoder();
legacy["euc-jp"] = () => new EucJpDecoder();
legacy["iso-2022-jp"] = () => new Iso2022JpDecoder();
legacy.shift_jis = () => new ShiftJisDecoder();
legacy["euc-kr"] = () => new EucKrDecoder();
