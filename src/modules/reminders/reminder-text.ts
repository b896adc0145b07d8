/**
 * The words of a payment reminder and the links that carry them: pure functions, so the rules
 * (language, Indian digit grouping, link encoding) are tested without a server.
 */

export const REMINDER_LANGUAGES = ['en', 'hi'] as const;
export type ReminderLanguage = (typeof REMINDER_LANGUAGES)[number];

/**
 * Rupees from paise, grouped the Indian way (lakh and crore): 12400050 → `₹1,24,000.50`. Whole
 * rupees carry no decimals (`₹500`), as shops write them.
 */
export function formatIndianRupees(paise: number): string {
  const negative = paise < 0;
  const abs = Math.abs(Math.trunc(paise));
  const rupees = Math.floor(abs / 100);
  const rest = abs % 100;
  const digits = String(rupees);
  const last3 = digits.slice(-3);
  const head = digits.slice(0, -3).replace(/\B(?=(\d{2})+(?!\d))/g, ',');
  const grouped = head ? `${head},${last3}` : last3;
  const decimals = rest ? `.${String(rest).padStart(2, '0')}` : '';
  return `${negative ? '-' : ''}₹${grouped}${decimals}`;
}

/**
 * The reminder language a request asks for in `Accept-Language` (`hi-IN,hi;q=0.9,en;q=0.8`): the
 * supported language with the highest weight, or undefined when none is named.
 */
export function languageFromAcceptLanguage(header: string | undefined): ReminderLanguage | undefined {
  if (!header) return undefined;
  let best: { lang: ReminderLanguage; q: number } | undefined;
  for (const part of header.split(',').slice(0, 20)) {
    const [tag, ...params] = part.trim().split(';');
    const primary = tag.trim().toLowerCase().split('-')[0];
    if (!(REMINDER_LANGUAGES as readonly string[]).includes(primary)) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    if (!best || q > best.q) best = { lang: primary as ReminderLanguage, q };
  }
  return best?.lang;
}

export interface ReminderFacts {
  language: ReminderLanguage;
  customerName: string | null;
  shopName: string;
  duePaise: number;
  upiLink: string | null;
}

/** The reminder's text in the customer's language. */
export function composeReminderText(f: ReminderFacts): string {
  const amount = formatIndianRupees(f.duePaise);
  const name = f.customerName?.trim();
  if (f.language === 'hi') {
    const lines = [
      `नमस्ते${name ? ` ${name}` : ''},`,
      `${f.shopName} पर आपका ${amount} बकाया है। कृपया जल्द भुगतान करें।`,
    ];
    if (f.upiLink) lines.push(`UPI से भुगतान करें: ${f.upiLink}`);
    lines.push('धन्यवाद!');
    return lines.join('\n');
  }
  const lines = [
    `Hello${name ? ` ${name}` : ''},`,
    `Your balance due at ${f.shopName} is ${amount}. Please pay at your earliest convenience.`,
  ];
  if (f.upiLink) lines.push(`Pay by UPI: ${f.upiLink}`);
  lines.push('Thank you!');
  return lines.join('\n');
}

/**
 * A WhatsApp click-to-chat link: `https://wa.me/<E.164 digits without +>?text=…`. Without a phone
 * number the link still opens WhatsApp with the text, and the merchant picks the chat.
 */
export function whatsappLink(phone: string | null, text: string): string {
  const digits = phone ? phone.replace(/\D/g, '') : '';
  return `https://wa.me/${digits}?text=${encodeURIComponent(text)}`;
}

/** An `sms:` link (RFC 5724) for the merchant's own phone: `sms:+919876543210?body=…`. */
export function smsLink(phone: string | null, text: string): string {
  const number = phone ? `+${phone.replace(/\D/g, '')}` : '';
  return `sms:${number}?body=${encodeURIComponent(text)}`;
}
