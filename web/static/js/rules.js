// SPEC rule 3 and the desk's field checks, ported from server/checks/rules.py so that the
// phone answers at once, offline, exactly as the server would. Problems carry a code, never
// text: the page maps each code to the message the server renders (see desk/_templates.html).
// tests/browser/test_js_rules.py holds this file to the Python rules, case by case.
"use strict";

self.hallwatchRules = (() => {
  const SYMPTOMS = ["cough", "fatigue", "sore_throat", "short_breath", "other"];
  // ASCII digits only: numbers are read through halfWidth(), as the server's half_width().
  const MOBILE = /^1[3-9][0-9]{9}$/;
  const ID_NUMBER = /^[0-9]{17}[0-9X]$/;
  const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const ID_CHECK_CHARS = "10X98765432";
  // What Python's float() accepts: digits with single underscores, a point, an exponent,
  // inf/infinity/nan.
  const DIGITS = String.raw`\d(?:_?\d)*`;
  const NUMBER = String.raw`(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?`;
  const FLOAT = new RegExp(String.raw`^[+-]?(?:${NUMBER}|inf|infinity|nan)$`, "i");

  class Invalid extends Error {
    constructor(problems) {
      super(problems.map((p) => p.code).join(", "));
      this.problems = problems;
    }
  }

  const problem = (field, code, params = {}) => new Invalid([{ field, code, params }]);

  // Python's str.strip() and slicing count code points, not UTF-16 units.
  const strip = (value) => String(value ?? "").trim();
  const cut = (text, length) => [...text].slice(0, length).join("");
  // Python's half_width(): what a Chinese input method types (１３８, ３６．５) in ASCII forms.
  const halfWidth = (value) => String(value || "").normalize("NFKC").trim();

  // Python's float() and int() read any Unicode decimal digit. Decimal digits come in runs
  // of ten, zero first (a Unicode stability guarantee), so a digit's value is its distance
  // from the start of its run of consecutive digits, modulo 10.
  function asciiDigits(text) {
    return text.replace(/\p{Nd}/gu, (digit) => {
      let start = digit.codePointAt(0);
      while (/\p{Nd}/u.test(String.fromCodePoint(start - 1))) start -= 1;
      return String((digit.codePointAt(0) - start) % 10);
    });
  }

  // Python's round(x, 1): the exact binary value rounded, ties (only quarters are exact
  // ties at one decimal) to even. toFixed rounds the exact value too, but ties up.
  function round1(x) {
    if (!Number.isFinite(x)) return x;
    if (Number.isInteger(x * 4) && !Number.isInteger(x * 2)) {
      const tenths = Math.floor(x * 10);
      return (tenths % 2 === 0 ? tenths : tenths + 1) / 10;
    }
    return Number(x.toFixed(1));
  }

  // str() of a Python float, for the values a message names: 45.0, not 45.
  function pyFloat(x) {
    if (Number.isNaN(x)) return "nan";
    if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
    if (Object.is(x, -0)) return "-0.0";
    const size = Math.abs(x);
    if (size >= 1e16 || (size > 0 && size < 1e-4)) {
      return x.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
    }
    return Number.isInteger(x) ? `${x}.0` : String(x);
  }

  function parseFloatLikePython(text) {
    const cleaned = asciiDigits(halfWidth(text).replaceAll(",", "."));
    if (!FLOAT.test(cleaned)) return null;
    const lower = cleaned.toLowerCase().replace(/^\+/, "");
    if (lower.endsWith("nan")) return NaN;
    if (lower.endsWith("inf") || lower.endsWith("infinity")) {
      return lower.startsWith("-") ? -Infinity : Infinity;
    }
    return Number(cleaned.replaceAll("_", ""));
  }

  function parseTemperature(text, policy, field = "temperature") {
    const parsed = parseFloatLikePython(text);
    if (parsed === null) throw problem(field, "temperature_not_number");
    const value = round1(parsed);
    const low = policy.min_valid_temperature;
    const high = policy.max_valid_temperature;
    if (!(low <= value && value <= high)) {
      throw problem(field, "temperature_out_of_range", {
        value: pyFloat(value),
        low: pyFloat(low),
        high: pyFloat(high),
      });
    }
    return value;
  }

  const isAbnormal = (value, policy) => value >= policy.fever_threshold;

  function firstReadingStatus(temperature, symptoms, travelOrContact, policy) {
    if (symptoms.length && travelOrContact) return "held";
    return isAbnormal(temperature, policy) ? "remeasure" : "normal";
  }

  const remeasureStatus = (temperature, policy) =>
    isAbnormal(temperature, policy) ? "held" : "cleared";

  const isMobile = (phone) => MOBILE.test(phone);

  function isRealDate(year, month, day) {
    if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
    return day <= days;
  }

  function isIdNumber(number) {
    number = number.toUpperCase();
    if (!ID_NUMBER.test(number)) return false;
    const ascii = asciiDigits(number);
    const part = (start, end) => Number(ascii.slice(start, end));
    if (!isRealDate(part(6, 10), part(10, 12), part(12, 14))) return false;
    let total = 0;
    for (let i = 0; i < 17; i++) total += Number(ascii[i]) * ID_WEIGHTS[i];
    return ID_CHECK_CHARS[total % 11] === ascii[17];
  }

  function cleanSymptoms(values) {
    const chosen = typeof values === "string" ? values.split(",") : [...(values ?? [])];
    return SYMPTOMS.filter((s) => chosen.includes(s));
  }

  const VISITOR_FIELDS = {
    name(value) {
      const name = strip(value);
      if (!name) throw problem("name", "name_missing");
      if ([...name].length > 50) throw problem("name", "name_too_long");
      return name;
    },
    phone(value) {
      const phone = halfWidth(value).replaceAll(" ", "");
      if (!isMobile(phone)) throw problem("phone", "phone_invalid");
      return phone;
    },
    id_number(value) {
      const number = halfWidth(value).toUpperCase();
      if (number && !isIdNumber(number)) throw problem("id_number", "id_number_invalid");
      return number;
    },
    purpose: (value) => cut(strip(value), 100),
    temperature: (value, policy) => parseTemperature(value, policy),
    symptoms: (value) => cleanSymptoms(value),
    symptoms_other: (value) => cut(strip(value), 100),
    travel_or_contact: (value) => ["yes", "on", "1", true].includes(value),
  };

  // Every bad field at once, like clean_fields + validate_visitor.
  function cleanVisitor(values, policy) {
    const fields = {};
    const problems = [];
    for (const [name, clean] of Object.entries(VISITOR_FIELDS)) {
      try {
        fields[name] = clean(values[name], policy);
      } catch (bad) {
        if (!(bad instanceof Invalid)) throw bad;
        problems.push(...bad.problems);
      }
    }
    if (problems.length) throw new Invalid(problems);
    // A symptom typed in with its box left unticked is still a symptom: rule 3 holds on it.
    if (fields.symptoms_other && !fields.symptoms.includes("other")) {
      fields.symptoms = cleanSymptoms([...fields.symptoms, "other"]);
    }
    return fields;
  }

  // record_staff_check's checks; `rosterIds` stands in for the active people on the server.
  function cleanStaff(values, policy, rosterIds) {
    const problems = [];
    const person = strip(values.person);
    if (!/^\d+$/.test(person) || !rosterIds.has(person)) {
      problems.push({ field: "person", code: "person_missing", params: {} });
    }
    if (!["arrival", "leaving"].includes(values.direction)) {
      problems.push({ field: "direction", code: "direction_missing", params: {} });
    }
    let temperature = null;
    try {
      temperature = parseTemperature(values.temperature ?? "", policy);
    } catch (bad) {
      problems.push(...bad.problems);
    }
    if (problems.length) throw new Invalid(problems);
    return { person: Number(person), direction: values.direction, temperature };
  }

  return {
    Invalid,
    SYMPTOMS,
    round1,
    parseTemperature,
    isAbnormal,
    firstReadingStatus,
    remeasureStatus,
    isMobile,
    isIdNumber,
    cleanSymptoms,
    cleanVisitor,
    cleanStaff,
  };
})();
