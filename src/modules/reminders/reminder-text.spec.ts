import {
  composeReminderText,
  formatIndianRupees,
  languageFromAcceptLanguage,
  smsLink,
  whatsappLink,
} from './reminder-text.js';

describe('formatIndianRupees', () => {
  it.each([
    [12400050, '₹1,24,000.50'],
    [50000, '₹500'],
    [5, '₹0.05'],
    [123456789, '₹12,34,567.89'],
    [100000000000, '₹1,00,00,00,000'],
    [99900, '₹999'],
    [100000, '₹1,000'],
  ])('%d paise → %s', (paise, text) => {
    expect(formatIndianRupees(paise)).toBe(text);
  });
});

describe('languageFromAcceptLanguage', () => {
  it.each([
    ['hi-IN,hi;q=0.9,en;q=0.8', 'hi'],
    ['en-IN,en;q=0.9,hi;q=0.8', 'en'],
    ['fr-FR,hi;q=0.5,en;q=0.7', 'en'],
    ['hi;q=0', undefined],
    ['fr, de', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%s → %s', (header, lang) => {
    expect(languageFromAcceptLanguage(header)).toBe(lang);
  });
});

describe('composeReminderText', () => {
  const facts = { customerName: 'Asha', shopName: 'Sharma Kirana', duePaise: 12400050, upiLink: null };

  it('writes English with the shop, the amount in Indian grouping, and no UPI line without a link', () => {
    const text = composeReminderText({ ...facts, language: 'en' });
    expect(text).toContain('Hello Asha,');
    expect(text).toContain('Your balance due at Sharma Kirana is ₹1,24,000.50.');
    expect(text).not.toContain('UPI');
  });

  it('writes Hindi, with the UPI link when there is one', () => {
    const upi = 'upi://pay?pa=sharma@okaxis&am=124000.50&cu=INR';
    const text = composeReminderText({ ...facts, language: 'hi', upiLink: upi });
    expect(text).toContain('नमस्ते Asha,');
    expect(text).toContain('Sharma Kirana पर आपका ₹1,24,000.50 बकाया है।');
    expect(text).toContain(`UPI से भुगतान करें: ${upi}`);
  });
});

describe('links', () => {
  const text = 'Hello Asha,\nPay ₹500 & thanks?';

  it('builds wa.me with the E.164 digits and the encoded text', () => {
    const url = whatsappLink('+919876543210', text);
    expect(url.startsWith('https://wa.me/919876543210?text=')).toBe(true);
    expect(decodeURIComponent(new URL(url).searchParams.get('text') ?? '')).toBe(text);
    expect(new URL(url).searchParams.get('text')).toBe(text);
  });

  it('builds an sms: link with the number and the encoded body', () => {
    const url = smsLink('+919876543210', text);
    expect(url.startsWith('sms:+919876543210?body=')).toBe(true);
    expect(decodeURIComponent(url.split('?body=')[1])).toBe(text);
  });

  it('leaves the number out when the customer has none', () => {
    expect(whatsappLink(null, 'x')).toBe('https://wa.me/?text=x');
    expect(smsLink(null, 'x')).toBe('sms:?body=x');
  });
});
