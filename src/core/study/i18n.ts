/**
 * Respondent-facing UI strings in English and Urdu, and picking text in the respondent's language.
 *
 * Item text, option labels, consent text and the like come from the instrument or the study in the chosen
 * language; when that language is missing they fall back to English (then to any language present) and the
 * caller marks the element with the fallback's `lang` (see `localize`).
 *
 * TRANSLATION NOTE: the Urdu strings below were written for natural, gender-neutral Urdu (respectful plural
 * forms such as "سکتے ہیں", adjectives such as "رضامند" instead of gendered verbs) in plain Unicode that
 * renders in Nastaliq and Naskh fonts alike. They must be reviewed by a native speaker before a study uses
 * them with respondents. Numbers are written with Western digits (0–9), as is usual on Pakistani phones; the
 * number parser also accepts Urdu (۰–۹) and Arabic-Indic (٠–٩) digits.
 */
import { type LocalizedText, RTL_LANGUAGES } from '../instrument/schema.js';

/** Kinds of error page a respondent can see. */
export type RespondErrorKind =
  | 'not_found'
  | 'bad_request'
  | 'expired'
  | 'rate_limited'
  | 'too_large'
  | 'server';

/** Strings of the follow-up volunteer pages: the offer on the end page, the form, the personal page. */
interface VolunteerStrings {
  readonly offerTitle: string;
  readonly offerText: string;
  readonly offerLink: string;
  readonly title: string;
  readonly intro: string;
  readonly apart: string;
  readonly name: string;
  readonly nameHint: string;
  readonly email: string;
  readonly phone: string;
  readonly contactHint: string;
  readonly agree: string;
  readonly submit: string;
  readonly errContact: string;
  readonly errEmail: string;
  readonly errPhone: string;
  readonly errAgree: string;
  readonly doneTitle: string;
  readonly doneText: string;
  readonly personalLink: string;
  readonly statusTitle: string;
  readonly statusText: string;
  readonly withdraw: string;
  readonly withdrawHint: string;
  readonly goneTitle: string;
  readonly goneText: string;
  readonly unavailableTitle: string;
  readonly unavailableText: string;
}

/** Strings of a follow-up wave's pages (issue 14): confidential, not anonymous; the personal wave link. */
export interface WaveStrings {
  /** Shown on every page of a wave. */
  readonly notice: string;
  readonly title: string;
  readonly needed: string;
  readonly invalid: string;
  readonly answeredTitle: string;
  readonly answered: string;
}

/** Every string a respondent page shows that is not study or instrument content. */
export interface UiStrings {
  /** The language's name in itself, for the language switcher. */
  readonly languageName: string;
  readonly next: string;
  readonly back: string;
  readonly submit: string;
  readonly saveLater: string;
  readonly pageOf: (k: number, n: number) => string;
  readonly required: string;
  readonly allRequired: string;
  readonly notApplicable: string;
  /** How an instrument item is named in messages: "item 3". */
  readonly itemName: (n: number) => string;
  readonly numberHint: (min: number | undefined, max: number | undefined, integer: boolean) => string;
  readonly maxChars: (n: number) => string;
  readonly chooseAll: string;
  readonly errorSummaryTitle: string;
  /** Put before the page's `<title>` when the page comes back with errors ("Error: "), so it is heard first. */
  readonly errorTitlePrefix: string;
  /** Shown by the optional script beside an unanswered required item. */
  readonly jsRequired: string;
  readonly consentTitle: string;
  readonly consentAgree: string;
  readonly consentDecline: string;
  readonly consentVersion: (v: number) => string;
  readonly eligibilityTitle: string;
  readonly questionsTitle: string;
  readonly reviewTitle: string;
  readonly reviewIntro: string;
  readonly answeredOf: (a: number, n: number) => string;
  readonly change: string;
  readonly thanksTitle: string;
  readonly thanksText: string;
  readonly closePage: string;
  readonly shareTitle: string;
  readonly shareText: string;
  readonly supportTitle: string;
  readonly supportIntro: string;
  /** The heading of the support contacts every respondent's end page shows (`supportForAll`). */
  readonly supportForAllTitle: string;
  readonly supportPrivacy: string;
  readonly supportEmergency: string;
  readonly call: string;
  readonly website: string;
  readonly hours: string;
  readonly ineligibleTitle: string;
  readonly ineligibleText: string;
  readonly declinedTitle: string;
  readonly declinedText: string;
  readonly resumeCodeTitle: string;
  readonly resumeCodeIs: string;
  readonly resumeCodeHelp: string;
  readonly resumeCodeExpires: (date: string) => string;
  readonly continueNow: string;
  readonly resumeTitle: string;
  readonly resumeLabel: string;
  readonly resumeHint: string;
  readonly resumeButton: string;
  readonly resumeNotFound: string;
  readonly haveCode: string;
  /** The first page's box for phones that several people use: nothing is kept in the browser. */
  readonly sharedDevice: string;
  readonly closedTitle: string;
  readonly closedText: string;
  /** Invitation-only studies: the page shown without a usable invitation link. */
  readonly invitationTitle: string;
  readonly invitationNeeded: string;
  readonly invitationInvalid: string;
  readonly errorPages: Readonly<Record<RespondErrorKind, { readonly title: string; readonly text: string }>>;
  /** The follow-up volunteer pages (issue 14). */
  readonly volunteer: VolunteerStrings;
  /** The pages of a follow-up wave (issue 14). */
  readonly wave: WaveStrings;
  readonly languageNav: string;
  /** Field errors; `name` is an item's name ("item 3", or a question's short text). */
  readonly err: {
    readonly chooseAnswer: (name: string) => string;
    readonly chooseAtLeastOne: (name: string) => string;
    readonly fillIn: (name: string) => string;
    readonly notOption: (name: string) => string;
    readonly naNotAllowed: (name: string) => string;
    readonly oneOnly: (name: string) => string;
    readonly notNumber: (name: string) => string;
    readonly range: (
      name: string,
      min: number | undefined,
      max: number | undefined,
      integer: boolean,
    ) => string;
    readonly tooLong: (name: string, max: number, n: number) => string;
    readonly badCharacters: (name: string) => string;
    readonly notShown: (name: string) => string;
    readonly unknownField: (field: string) => string;
    readonly badControl: (field: string) => string;
    readonly consentChoice: string;
  };
}

const capitalize = (s: string): string => (s ? s.charAt(0).toUpperCase() + s.slice(1) : s);

const en: UiStrings = {
  languageName: 'English',
  next: 'Next',
  back: 'Back',
  submit: 'Submit',
  saveLater: 'Save and continue later',
  pageOf: (k, n) => `Page ${k} of ${n}`,
  required: 'Required',
  allRequired: 'Please answer every question on this page.',
  notApplicable: 'Not applicable',
  itemName: (n) => `item ${n}`,
  numberHint: (min, max, integer) => {
    const what = integer ? 'A whole number' : 'A number';
    if (min !== undefined && max !== undefined) return `${what} from ${min} to ${max}`;
    if (min !== undefined) return `${what}, at least ${min}`;
    if (max !== undefined) return `${what}, at most ${max}`;
    return what;
  },
  maxChars: (n) => `Up to ${n} characters`,
  chooseAll: 'Choose all that apply.',
  errorSummaryTitle: 'Please correct the following',
  errorTitlePrefix: 'Error: ',
  jsRequired: 'Please answer this question.',
  consentTitle: 'Information and consent',
  consentAgree: 'I agree to take part',
  consentDecline: 'I do not agree',
  consentVersion: (v) => `Consent text version ${v}`,
  eligibilityTitle: 'A few questions first',
  questionsTitle: 'Questions',
  reviewTitle: 'Check and submit',
  reviewIntro: 'You can change your answers before you submit. After you submit, they cannot be changed.',
  answeredOf: (a, n) => `${a} of ${n} answered`,
  change: 'Change',
  thanksTitle: 'Thank you',
  thanksText: 'Your answers have been saved.',
  closePage: 'You can now close this page.',
  shareTitle: 'Invite others',
  shareText: 'If you know others who could take part, you can send them this link:',
  supportTitle: 'Support is available',
  supportForAllTitle: 'If you would like to talk to someone',
  supportIntro:
    'Thank you for your answers. Some of them suggest you may be going through a difficult time. You do not have to face it alone; these services can help:',
  supportPrivacy: 'This page is shown only to you. Your answers stay anonymous: nobody is told who you are.',
  supportEmergency: 'If you are in danger right now, call your local emergency number.',
  call: 'Call',
  website: 'Website',
  hours: 'Hours',
  ineligibleTitle: 'Thank you for your interest',
  ineligibleText:
    'This study is looking for people in a particular group, and from your answers you are not in it, so there are no more questions for you. Your answers to these questions have not been kept.',
  declinedTitle: 'Thank you',
  declinedText: 'You chose not to take part. No answers have been saved. You can now close this page.',
  resumeCodeTitle: 'Your answers are saved',
  resumeCodeIs: 'Your resume code is',
  resumeCodeHelp:
    'Write it down or take a screenshot. To continue, open the study link again and enter this code. We do not know who you are, so without the code your answers cannot be found.',
  resumeCodeExpires: (date) => `The code works until ${date}.`,
  continueNow: 'Continue now',
  resumeTitle: 'Continue where you left off',
  resumeLabel: 'Resume code',
  resumeHint: 'For example K7M-4QX',
  resumeButton: 'Continue',
  resumeNotFound: 'That code was not found or has expired. Check it and try again.',
  haveCode: 'Have a resume code? Continue where you left off',
  sharedDevice: 'Others use this phone or computer: keep nothing of my answers on it',
  closedTitle: 'This study is closed',
  closedText: 'This study is not collecting answers at the moment. Thank you for your interest.',
  invitationTitle: 'This study is by invitation',
  invitationNeeded:
    'Only people who received a personal invitation link can take part in this study. If you were given one, open that link (or scan its QR code). Your invitation does not tell anyone who you are or which answers are yours.',
  invitationInvalid:
    'This invitation link cannot be used: it has already been used to send answers (each link works once), or it was withdrawn or mistyped. If you think this is a mistake, ask the researcher for a new link. Thank you for taking part.',
  errorPages: {
    not_found: {
      title: 'Page not found',
      text: 'Check the link you were given. If it still does not work, ask the person who sent it.',
    },
    bad_request: {
      title: 'Something was wrong with the form',
      text: 'Go back, reload the page and try again.',
    },
    expired: {
      title: 'This page has expired',
      text: 'Open the study link again. If you saved your answers, use your resume code.',
    },
    rate_limited: { title: 'Too many attempts', text: 'Please wait a minute and try again.' },
    too_large: { title: 'Too much text', text: 'Go back, shorten your answers and try again.' },
    server: {
      title: 'Something went wrong',
      text: 'Your answers on this page may not have been saved. Please try again in a moment.',
    },
  },
  languageNav: 'Language',
  err: {
    chooseAnswer: (name) => `Please choose an answer for ${name}.`,
    chooseAtLeastOne: (name) => `Please choose at least one answer for ${name}.`,
    fillIn: (name) => `Please fill in ${name}.`,
    notOption: (name) => `The answer for ${name} is not one of its options; please choose again.`,
    naNotAllowed: (name) =>
      `"Not applicable" cannot be chosen for ${name}; please choose one of the answers.`,
    oneOnly: (name) => `Please choose only one answer for ${name}.`,
    notNumber: (name) => `${capitalize(name)} must be a number, written with digits only.`,
    range: (name, min, max, integer) => {
      const what = integer ? 'a whole number' : 'a number';
      if (min !== undefined && max !== undefined)
        return `${capitalize(name)} must be ${what} between ${min} and ${max}.`;
      if (min !== undefined) return `${capitalize(name)} must be ${what} of at least ${min}.`;
      if (max !== undefined) return `${capitalize(name)} must be ${what} of at most ${max}.`;
      return `${capitalize(name)} must be ${what}.`;
    },
    tooLong: (name, max, n) =>
      `${capitalize(name)} must be at most ${max} characters long (it has ${n}); please shorten it.`,
    badCharacters: (name) =>
      `${capitalize(name)} contains characters that are not text (Unicode non-characters such as U+FFFF, or half of a character); please retype it.`,
    notShown: (name) =>
      `${capitalize(name)} is not asked after your earlier answers; please reload the page.`,
    unknownField: (field) =>
      `The form sent an unexpected field "${field}"; please reload the page and try again.`,
    badControl: (field) =>
      `The form field "${field}" has an invalid value; please reload the page and try again.`,
    consentChoice: 'Please choose whether you agree to take part.',
  },
  volunteer: {
    offerTitle: 'Take part in a follow-up',
    offerText:
      'The researchers are looking for people like you for a follow-up (for example a group discussion). Your answers stay anonymous: volunteering is a separate step, and your contact details are never joined to your answers.',
    offerLink: 'I may volunteer — tell me more',
    title: 'Volunteer for the follow-up',
    intro:
      'Leave a way to reach you, and the researchers may invite you. Saying no, or not answering, changes nothing.',
    apart:
      'Your contact details are kept apart from your survey answers, encrypted, seen only by the study owner, and deleted when the study closes or when you ask (with the personal link you get next).',
    name: 'Name to call you by (optional)',
    nameHint: 'A first name or a nickname is enough.',
    email: 'E-mail',
    phone: 'Phone or WhatsApp number',
    contactHint: 'Give an e-mail address, a phone number, or both.',
    agree: 'I agree that the researchers may contact me about the follow-up.',
    submit: 'Volunteer',
    errContact: 'Give an e-mail address or a phone number.',
    errEmail: 'Enter an e-mail address like name@example.com.',
    errPhone: 'Enter a phone number of 7 to 15 digits, for example +92 300 1234567.',
    errAgree: 'Tick the box to agree to be contacted, or close this page.',
    doneTitle: 'Thank you for volunteering',
    doneText:
      'The researchers may contact you. Keep your personal link: it shows your details are kept and lets you delete them at any time.',
    personalLink: 'Your personal link',
    statusTitle: 'Your follow-up volunteering',
    statusText:
      'You volunteered for the follow-up of this study. Your contact details are kept apart from the survey answers and deleted when the study closes.',
    withdraw: 'Withdraw and delete my contact details',
    withdrawHint:
      'This cannot be undone. Your anonymous survey answers are not affected; your answers to the follow-up questionnaires you were sent with your personal link are deleted too.',
    goneTitle: 'Your details are deleted',
    goneText: 'There are no contact details under this link (they were deleted, or the study has closed).',
    unavailableTitle: 'Volunteering is not available',
    unavailableText:
      'This page is only for people who have just completed the survey and are invited to the follow-up. You can close it.',
  },
  wave: {
    notice:
      'A follow-up for volunteers: confidential, not anonymous. You came here through your personal link, so the researchers know who was invited; your answers are stored under a code, not your name or contact details, and are linked to your other follow-up answers. Withdrawing with your personal link deletes them.',
    title: 'This follow-up is by personal link',
    needed:
      'Only volunteers who received a personal link for this follow-up can answer it. Open the link the researchers sent you.',
    invalid:
      'This personal link does not belong to this follow-up (it may be mistyped, meant for another follow-up, or withdrawn). Ask the researchers for your link.',
    answeredTitle: 'You have answered this follow-up',
    answered:
      'Each volunteer answers this follow-up once, and your answers are already kept. Nothing more was stored. Thank you for taking part.',
  },
};

// Urdu. Review by a native speaker is required before use (see the note at the top of this file).
const ur: UiStrings = {
  languageName: 'اردو',
  next: 'آگے',
  back: 'پیچھے',
  submit: 'جمع کرائیں',
  saveLater: 'محفوظ کریں اور بعد میں جاری رکھیں',
  pageOf: (k, n) => `صفحہ ${k} از ${n}`,
  required: 'لازمی',
  allRequired: 'براہِ کرم اس صفحے کے تمام سوالات کے جواب دیں۔',
  notApplicable: 'لاگو نہیں',
  itemName: (n) => `سوال ${n}`,
  numberHint: (min, max, integer) => {
    const what = integer ? 'مکمل عدد' : 'عدد';
    if (min !== undefined && max !== undefined) return `${min} سے ${max} تک کوئی ${what}`;
    if (min !== undefined) return `کم از کم ${min}، کوئی ${what}`;
    if (max !== undefined) return `زیادہ سے زیادہ ${max}، کوئی ${what}`;
    return `کوئی ${what}`;
  },
  maxChars: (n) => `زیادہ سے زیادہ ${n} حروف`,
  chooseAll: 'جتنے جواب درست ہوں، سب منتخب کریں۔',
  errorSummaryTitle: 'براہِ کرم درج ذیل درست کریں',
  errorTitlePrefix: 'خرابی: ',
  jsRequired: 'براہِ کرم اس سوال کا جواب دیں۔',
  consentTitle: 'معلومات اور رضامندی',
  consentAgree: 'میں حصہ لینے پر رضامند ہوں',
  consentDecline: 'میں رضامند نہیں ہوں',
  consentVersion: (v) => `رضامندی کی عبارت، نسخہ ${v}`,
  eligibilityTitle: 'پہلے چند سوالات',
  questionsTitle: 'سوالات',
  reviewTitle: 'جانچیں اور جمع کرائیں',
  reviewIntro: 'جمع کرانے سے پہلے آپ اپنے جوابات بدل سکتے ہیں۔ جمع کرانے کے بعد انہیں بدلا نہیں جا سکے گا۔',
  answeredOf: (a, n) => `${n} میں سے ${a} کے جواب دیے گئے`,
  change: 'تبدیل کریں',
  thanksTitle: 'شکریہ',
  thanksText: 'آپ کے جوابات محفوظ ہو گئے ہیں۔',
  closePage: 'اب آپ یہ صفحہ بند کر سکتے ہیں۔',
  shareTitle: 'دوسروں کو دعوت دیں',
  shareText: 'اگر آپ ایسے لوگوں کو جانتے ہیں جو حصہ لے سکتے ہیں تو انہیں یہ لنک بھیج سکتے ہیں:',
  supportTitle: 'مدد دستیاب ہے',
  supportForAllTitle: 'اگر آپ کسی سے بات کرنا چاہیں',
  supportIntro:
    'آپ کے جوابات کا شکریہ۔ ان میں سے کچھ سے لگتا ہے کہ آپ شاید مشکل وقت سے گزر رہے ہیں۔ آپ کو اس کا اکیلے سامنا نہیں کرنا پڑے گا؛ یہ ادارے مدد کر سکتے ہیں:',
  supportPrivacy:
    'یہ صفحہ صرف آپ کو دکھایا جا رہا ہے۔ آپ کے جوابات گمنام رہیں گے: کسی کو نہیں بتایا جاتا کہ آپ کون ہیں۔',
  supportEmergency: 'اگر آپ کو ابھی خطرہ ہے تو اپنے علاقے کے ہنگامی نمبر پر فوراً کال کریں۔',
  call: 'کال کریں',
  website: 'ویب سائٹ',
  hours: 'اوقات',
  ineligibleTitle: 'دلچسپی کا شکریہ',
  ineligibleText:
    'یہ مطالعہ ایک خاص گروپ کے لوگوں کے لیے ہے، اور آپ کے جوابات کے مطابق آپ اس گروپ میں شامل نہیں ہیں، اس لیے آپ سے مزید سوالات نہیں ہیں۔ ان سوالات کے آپ کے جوابات محفوظ نہیں کیے گئے۔',
  declinedTitle: 'شکریہ',
  declinedText:
    'آپ نے حصہ نہ لینے کا انتخاب کیا ہے۔ کوئی جواب محفوظ نہیں کیا گیا۔ اب آپ یہ صفحہ بند کر سکتے ہیں۔',
  resumeCodeTitle: 'آپ کے جوابات محفوظ ہو گئے ہیں',
  resumeCodeIs: 'جاری رکھنے کے لیے آپ کا کوڈ یہ ہے',
  resumeCodeHelp:
    'اسے لکھ لیں یا اسکرین شاٹ لے لیں۔ جاری رکھنے کے لیے مطالعے کا لنک دوبارہ کھولیں اور یہ کوڈ درج کریں۔ ہم نہیں جانتے کہ آپ کون ہیں، اس لیے کوڈ کے بغیر آپ کے جوابات تلاش نہیں کیے جا سکتے۔',
  resumeCodeExpires: (date) => `یہ کوڈ ${date} تک کام کرے گا۔`,
  continueNow: 'ابھی جاری رکھیں',
  resumeTitle: 'جہاں چھوڑا تھا وہیں سے جاری رکھیں',
  resumeLabel: 'جاری رکھنے کا کوڈ',
  resumeHint: 'مثال کے طور پر K7M-4QX',
  resumeButton: 'جاری رکھیں',
  resumeNotFound: 'یہ کوڈ نہیں ملا یا اس کی مدت ختم ہو چکی ہے۔ اسے دیکھ کر دوبارہ کوشش کریں۔',
  haveCode: 'کیا آپ کے پاس جاری رکھنے کا کوڈ ہے؟ جہاں چھوڑا تھا وہیں سے جاری رکھیں',
  sharedDevice: 'یہ فون یا کمپیوٹر دوسرے لوگ بھی استعمال کرتے ہیں: میرے جوابات اس پر محفوظ نہ کیے جائیں',
  closedTitle: 'یہ مطالعہ بند ہو چکا ہے',
  closedText: 'یہ مطالعہ اس وقت جوابات جمع نہیں کر رہا۔ دلچسپی کا شکریہ۔',
  invitationTitle: 'یہ مطالعہ صرف دعوت پر ہے',
  invitationNeeded:
    'اس مطالعے میں صرف وہی لوگ حصہ لے سکتے ہیں جنہیں ذاتی دعوتی لنک ملا ہو۔ اگر آپ کو لنک دیا گیا ہے تو وہی لنک کھولیں (یا اس کا QR کوڈ اسکین کریں)۔ آپ کی دعوت کسی کو نہیں بتاتی کہ آپ کون ہیں یا کون سے جوابات آپ کے ہیں۔',
  invitationInvalid:
    'یہ دعوتی لنک استعمال نہیں ہو سکتا: اس سے جوابات پہلے ہی بھیجے جا چکے ہیں (ہر لنک ایک بار چلتا ہے)، یا اسے واپس لے لیا گیا ہے یا غلط لکھا گیا ہے۔ اگر یہ غلطی ہے تو محقق سے نیا لنک مانگیں۔ حصہ لینے کا شکریہ۔',
  errorPages: {
    not_found: {
      title: 'صفحہ نہیں ملا',
      text: 'جو لنک آپ کو دیا گیا ہے اسے جانچیں۔ اگر پھر بھی کام نہ کرے تو بھیجنے والے سے پوچھیں۔',
    },
    bad_request: {
      title: 'فارم میں کوئی خرابی تھی',
      text: 'واپس جائیں، صفحہ دوبارہ کھولیں اور پھر کوشش کریں۔',
    },
    expired: {
      title: 'اس صفحے کی مدت ختم ہو چکی ہے',
      text: 'مطالعے کا لنک دوبارہ کھولیں۔ اگر آپ نے جوابات محفوظ کیے تھے تو اپنا کوڈ استعمال کریں۔',
    },
    rate_limited: { title: 'بہت زیادہ کوششیں', text: 'براہِ کرم ایک منٹ انتظار کریں اور پھر کوشش کریں۔' },
    too_large: { title: 'عبارت بہت لمبی ہے', text: 'واپس جائیں، اپنے جوابات مختصر کریں اور پھر کوشش کریں۔' },
    server: {
      title: 'کچھ غلط ہو گیا',
      text: 'ہو سکتا ہے اس صفحے کے جوابات محفوظ نہ ہوئے ہوں۔ براہِ کرم تھوڑی دیر بعد دوبارہ کوشش کریں۔',
    },
  },
  languageNav: 'زبان',
  err: {
    chooseAnswer: (name) => `براہِ کرم ${name} کا جواب منتخب کریں۔`,
    chooseAtLeastOne: (name) => `براہِ کرم ${name} کے لیے کم از کم ایک جواب منتخب کریں۔`,
    fillIn: (name) => `براہِ کرم ${name} پُر کریں۔`,
    notOption: (name) => `${name} کا جواب دیے گئے اختیارات میں سے نہیں ہے؛ براہِ کرم دوبارہ منتخب کریں۔`,
    naNotAllowed: (name) =>
      `${name} کے لیے "لاگو نہیں" منتخب نہیں کیا جا سکتا؛ براہِ کرم کوئی ایک جواب منتخب کریں۔`,
    oneOnly: (name) => `براہِ کرم ${name} کے لیے صرف ایک جواب منتخب کریں۔`,
    notNumber: (name) => `${name} میں صرف ہندسوں میں عدد لکھیں۔`,
    range: (name, min, max, integer) => {
      const what = integer ? 'مکمل عدد' : 'عدد';
      if (min !== undefined && max !== undefined)
        return `${name} ${min} اور ${max} کے درمیان کوئی ${what} ہونا چاہیے۔`;
      if (min !== undefined) return `${name} کم از کم ${min} کا کوئی ${what} ہونا چاہیے۔`;
      if (max !== undefined) return `${name} زیادہ سے زیادہ ${max} کا کوئی ${what} ہونا چاہیے۔`;
      return `${name} کوئی ${what} ہونا چاہیے۔`;
    },
    tooLong: (name, max, n) =>
      `${name} زیادہ سے زیادہ ${max} حروف کا ہو سکتا ہے (ابھی ${n} ہیں)؛ براہِ کرم مختصر کریں۔`,
    badCharacters: (name) =>
      `${name} میں ایسے نشان ہیں جو متن نہیں (جیسے U+FFFF، یا کسی حرف کا آدھا حصہ)؛ براہِ کرم اسے دوبارہ لکھیں۔`,
    notShown: (name) => `آپ کے پچھلے جوابات کے بعد ${name} نہیں پوچھا جاتا؛ براہِ کرم صفحہ دوبارہ کھولیں۔`,
    unknownField: (field) =>
      `فارم میں ایک غیر متوقع خانہ "${field}" تھا؛ براہِ کرم صفحہ دوبارہ کھول کر کوشش کریں۔`,
    badControl: (field) =>
      `فارم کے خانے "${field}" کی قدر درست نہیں؛ براہِ کرم صفحہ دوبارہ کھول کر کوشش کریں۔`,
    consentChoice: 'براہِ کرم بتائیں کہ آپ حصہ لینے پر رضامند ہیں یا نہیں۔',
  },
  volunteer: {
    offerTitle: 'فالو اپ میں حصہ لیں',
    offerText:
      'محققین فالو اپ (مثلاً گروپ گفتگو) کے لیے آپ جیسے لوگوں کی تلاش میں ہیں۔ آپ کے جوابات گمنام رہیں گے: رضاکار بننا ایک الگ قدم ہے، اور آپ کے رابطے کی تفصیلات کبھی آپ کے جوابات سے نہیں جوڑی جاتیں۔',
    offerLink: 'رضاکار بننے کے بارے میں مزید جانیں',
    title: 'فالو اپ کے لیے رضاکار بنیں',
    intro:
      'رابطے کا کوئی طریقہ بتائیں، محققین آپ کو مدعو کر سکتے ہیں۔ انکار کرنے یا جواب نہ دینے سے کچھ نہیں بدلتا۔',
    apart:
      'آپ کے رابطے کی تفصیلات آپ کے سروے کے جوابات سے الگ، خفیہ (encrypted) رکھی جاتی ہیں، صرف مطالعے کے مالک کو نظر آتی ہیں، اور مطالعہ بند ہونے پر یا آپ کے کہنے پر (اگلے صفحے پر ملنے والے ذاتی لنک سے) مٹا دی جاتی ہیں۔',
    name: 'آپ کو کس نام سے پکاریں (اختیاری)',
    nameHint: 'پہلا نام یا عرفی نام کافی ہے۔',
    email: 'ای میل',
    phone: 'فون یا واٹس ایپ نمبر',
    contactHint: 'ای میل پتہ، فون نمبر، یا دونوں دیں۔',
    agree: 'میں رضامند ہوں کہ محققین فالو اپ کے بارے میں مجھ سے رابطہ کریں۔',
    submit: 'رضاکار بنیں',
    errContact: 'ای میل پتہ یا فون نمبر دیں۔',
    errEmail: 'ای میل پتہ اس طرح لکھیں: name@example.com',
    errPhone: '7 سے 15 ہندسوں کا فون نمبر لکھیں، مثلاً +92 300 1234567',
    errAgree: 'رابطے پر رضامندی کے لیے خانے پر نشان لگائیں، یا یہ صفحہ بند کر دیں۔',
    doneTitle: 'رضاکار بننے کا شکریہ',
    doneText:
      'محققین آپ سے رابطہ کر سکتے ہیں۔ اپنا ذاتی لنک محفوظ رکھیں: اس سے آپ دیکھ سکتے ہیں کہ آپ کی تفصیلات رکھی گئی ہیں اور کسی بھی وقت انہیں مٹا سکتے ہیں۔',
    personalLink: 'آپ کا ذاتی لنک',
    statusTitle: 'فالو اپ کے لیے آپ کی رضاکاری',
    statusText:
      'آپ اس مطالعے کے فالو اپ کے لیے رضاکار بنے ہیں۔ آپ کے رابطے کی تفصیلات سروے کے جوابات سے الگ رکھی جاتی ہیں اور مطالعہ بند ہونے پر مٹا دی جاتی ہیں۔',
    withdraw: 'دستبردار ہوں اور میری رابطے کی تفصیلات مٹا دیں',
    withdrawHint:
      'یہ واپس نہیں ہو سکتا۔ آپ کے گمنام سروے جوابات پر کوئی اثر نہیں پڑتا؛ ذاتی لنک سے بھیجے گئے فالو اپ سوالناموں کے آپ کے جوابات بھی مٹا دیے جاتے ہیں۔',
    goneTitle: 'آپ کی تفصیلات مٹا دی گئی ہیں',
    goneText: 'اس لنک کے تحت رابطے کی کوئی تفصیلات نہیں ہیں (وہ مٹا دی گئیں، یا مطالعہ بند ہو چکا ہے)۔',
    unavailableTitle: 'رضاکاری دستیاب نہیں',
    unavailableText:
      'یہ صفحہ صرف ان لوگوں کے لیے ہے جنہوں نے ابھی سروے مکمل کیا ہے اور فالو اپ کے لیے مدعو ہیں۔ آپ اسے بند کر سکتے ہیں۔',
  },
  wave: {
    notice:
      'رضاکاروں کے لیے فالو اپ: رازدارانہ، گمنام نہیں۔ آپ اپنے ذاتی لنک سے یہاں آئے ہیں، اس لیے محققین جانتے ہیں کہ کسے مدعو کیا گیا؛ آپ کے جوابات ایک کوڈ کے تحت محفوظ ہوتے ہیں، آپ کے نام یا رابطے کی تفصیلات کے تحت نہیں، اور آپ کے دوسرے فالو اپ جوابات سے جوڑے جاتے ہیں۔ ذاتی لنک سے دستبردار ہونے پر وہ مٹا دیے جاتے ہیں۔',
    title: 'یہ فالو اپ صرف ذاتی لنک سے ہے',
    needed:
      'یہ فالو اپ صرف وہ رضاکار بھر سکتے ہیں جنہیں اس کا ذاتی لنک ملا ہے۔ محققین کا بھیجا ہوا لنک کھولیں۔',
    invalid:
      'یہ ذاتی لنک اس فالو اپ کا نہیں ہے (شاید غلط لکھا گیا، کسی اور فالو اپ کا ہے، یا واپس لے لیا گیا)۔ اپنے لنک کے لیے محققین سے رابطہ کریں۔',
    answeredTitle: 'آپ یہ فالو اپ بھر چکے ہیں',
    answered:
      'ہر رضاکار یہ فالو اپ ایک بار بھرتا ہے، اور آپ کے جوابات پہلے سے محفوظ ہیں۔ مزید کچھ محفوظ نہیں کیا گیا۔ حصہ لینے کا شکریہ۔',
  },
};

/** UI languages with full strings. */
const UI_LANGUAGES = ['en', 'ur'] as const;
type UiLanguage = (typeof UI_LANGUAGES)[number];

const STRINGS: Readonly<Record<UiLanguage, UiStrings>> = { en, ur };

/**
 * The base language of a BCP 47 tag: "ur-PK" → "ur", "EN" → "en". The respondent page asks this several times
 * per answer option, so it takes the part before the first "-" and lower-cases only that, with no array
 * (19.6 ns a call against 92.6 for `toLowerCase().split('-')[0]`, same results).
 */
export function baseLanguage(tag: string): string {
  const dash = tag.indexOf('-');
  return (dash < 0 ? tag : tag.slice(0, dash)).toLowerCase();
}

const byTag = new Map<string, UiStrings>();

/**
 * UI strings for a language (by its base tag), English when there are none. Validation asks for them once per
 * item of every submission, so the lookup is remembered per tag (bounded: tags come from requests).
 */
export function uiStrings(lang: string): UiStrings {
  const hit = byTag.get(lang);
  if (hit) return hit;
  const strings = (STRINGS as Record<string, UiStrings>)[baseLanguage(lang)] ?? en;
  if (byTag.size < 64) byTag.set(lang, strings);
  return strings;
}

/** Strong right-to-left letters (Hebrew, Arabic and their presentation forms) and strong left-to-right ones. */
const RTL_CHAR = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]/u;
const LTR_CHAR = /[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff\u0900-\u0dff]/u;

/**
 * The direction of a text's first strong letter (an Urdu quote in an English report, a study title typed in
 * either script); undefined when it has none (digits, punctuation). For a language tag's direction see
 * {@link isRtl}.
 */
export function firstStrongDirection(text: string): 'rtl' | 'ltr' | undefined {
  for (const ch of text) {
    if (RTL_CHAR.test(ch)) return 'rtl';
    if (LTR_CHAR.test(ch)) return 'ltr';
  }
  return undefined;
}

/** Whether a language tag is written right to left (for a text's own direction see {@link firstStrongDirection}). */
export function isRtl(lang: string): boolean {
  return RTL_LANGUAGES.has(baseLanguage(lang));
}

/** `"rtl"` or `"ltr"` for a language tag. */
export function textDirection(lang: string): 'rtl' | 'ltr' {
  return isRtl(lang) ? 'rtl' : 'ltr';
}

/**
 * The language to show a study in: the requested language when the study offers it (exactly or by base
 * tag), otherwise the study's first language.
 */
export function pickLanguage(offered: readonly string[], requested: string | undefined): string {
  if (requested) {
    const exact = offered.find((l) => l.toLowerCase() === requested.toLowerCase());
    if (exact) return exact;
    const base = baseLanguage(requested);
    const byBase = offered.find((l) => baseLanguage(l) === base);
    if (byBase) return byBase;
  }
  return offered[0] ?? 'en';
}

/** Text in a language, with the language it is actually in (differs from the requested one on fallback). */
export interface LocalizedString {
  readonly text: string;
  readonly lang: string;
}

/**
 * Pick text in `lang`: exact tag, then base tag ("ur" for "ur-PK"), then English, then the first language
 * present. Returns undefined for undefined text. The caller marks the element with `lang` when it differs.
 */
export function localize(text: LocalizedText | undefined, lang: string): LocalizedString | undefined {
  if (!text) return undefined;
  const exact = text[lang];
  if (exact !== undefined) return { text: exact, lang };
  const base = baseLanguage(lang);
  const inBase = text[base];
  if (inBase !== undefined) return { text: inBase, lang: base };
  if (text.en !== undefined) return { text: text.en, lang: 'en' };
  const first = Object.entries(text)[0];
  return first === undefined ? undefined : { text: first[1], lang: first[0] };
}

/** A study's title or description as written: one string (any language), or a text per language. */
type StudyTextValue = string | LocalizedText;

/**
 * A study's title (or description) for a page in `lang`: a text per language gives the page's language (exact,
 * then base tag), else the study's first language, else as {@link localize} falls back; the result's `lang`
 * then names the language it is in, so the caller marks a fallen-back title with its own `lang`/`dir`. A plain
 * string (as studies were written before titles per language) comes back without `lang`: its language is
 * unknown (the respondent header guesses its direction from its letters, render.ts `studyTitleLang`).
 */
export function studyText(
  value: StudyTextValue,
  languages: readonly string[],
  lang: string,
): { readonly text: string; readonly lang?: string } {
  if (typeof value === 'string') return { text: value };
  const base = baseLanguage(lang);
  const exact = value[lang];
  if (exact !== undefined) return { text: exact, lang };
  const near = Object.entries(value).find(([l, t]) => baseLanguage(l) === base && t);
  if (near !== undefined) return { text: near[1], lang: near[0] };
  for (const l of languages) {
    const t = value[l];
    if (t !== undefined) return { text: t, lang: l };
  }
  return localize(value, lang) ?? { text: '' };
}

/**
 * A study's title as the researcher's side shows it (studio pages, the stored row's title, exports, the codebook,
 * the report when no language is asked for): in the study's first language (or `lang` when given).
 */
export function studyTitleText(
  study: { readonly title: StudyTextValue; readonly languages?: readonly string[] | undefined },
  lang?: string,
): string {
  const languages = study.languages ?? ['en'];
  return studyText(study.title, languages, lang ?? languages[0] ?? 'en').text;
}
