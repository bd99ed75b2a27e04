/**
 * Attack classes beyond CRS 3.3's core families that a shop still meets: server-side template
 * injection, SSRF through URL parameters, NoSQL operator injection, CRLF/header injection,
 * JavaScript calls hidden behind brackets, Windows file paths and server-side includes. Numbered
 * after the CRS 4 rules of the same intent where one exists (934 = generic/Node, 921 = protocol).
 * Written against the training corpus only (corpus/train); measured on corpus/test.
 */
import { SEVERITY, type WafRule } from './rule-types.js';

// hosts an outside URL parameter has no business pointing at: loopback, private and link-local
// ranges, cloud metadata, IPv6 literals, and the integer/hex/octal spellings of an address
const INTERNAL_HOST = String.raw`(?:\[[0-9a-f:.]*\]|localhost\b|0(?:\.0){0,3}(?=[:/?#\\]|$)|0x[0-9a-f]{1,8}\b|\d{8,10}(?=[:/?#\\]|$)|0\d{1,11}(?=[:/?#.\\]|$)|127\.\d|10\.\d{1,3}\.|192\.168\.|172\.(?:1[6-9]|2\d|3[01])\.|169\.254\.|100\.100\.100\.200|metadata(?:\.google)?\.internal|[\w.-]*\.(?:nip\.io|xip\.io|sslip\.io|localtest\.me|burpcollaborator\.net|oastify\.com|interact\.sh|internal|localhost)\b|[\w.-]+\.127\.\d+\.\d+\.\d+|\d{1,3}\.\d{1,3}(?:\.\d{1,3})?(?=[:/?#\\]|$))`;

export const MORE_RULES: readonly WafRule[] = [
  // ---- SSTI (CRS 4: 934 family) ------------------------------------------------------------
  {
    id: '934131',
    category: 'ssti',
    severity: SEVERITY.CRITICAL,
    description: 'Template expression with code: arithmetic, attribute walking, filters, engine objects',
    on: 'forms',
    pattern:
      /\{\{[^}]{0,200}(?:\d\s*[*+]\s*['"\d]|__\w+__|\.class\b|\bconfig\b|\bself\b|\brequest\b|\bdump\s*\(|\bapp\.|_self\b|\blipsum\b|\bcycler\b|\bjoiner\b|\|\s*(?:join|filter|map|attr|file_excerpt|e\b)|\[\s*\]|''|"")|\{%\s*(?:import|set|for|if|include|extends|raw)\b|\$\{[^}]{0,200}(?:\d\s*[*+]\s*\d|\bT\s*\(|getclass|getruntime|\bex\s*\(|java\.|\.exec\s*\(|new\s*\(\))|#set\s*\(\s*\$|[<[]#assign\b|\?new\s*\(\s*\)|\{php\}|<%=?[^%]{0,200}(?:\d\s*\*\s*\d|system\s*\(|`|popen|\bdir\.|\bio\.|require\b)|[#*]\{\s*\d+\s*\*\s*\d+\s*\}|@\(\s*\d+\s*[*+]\s*\d+\s*\)|\.forname\s*\(|\.getmethod\s*\(|freemarker\.template/,
  },
  // ---- SSRF (CRS 4: 934120) ----------------------------------------------------------------
  {
    id: '934120',
    category: 'ssrf',
    severity: SEVERITY.CRITICAL,
    description: 'URL parameter pointing at an internal address, metadata service or non-web scheme',
    on: 'forms',
    locations: ['query', 'body', 'cookie', 'path'],
    pattern: new RegExp(
      String.raw`(?:^|[^\w])(?:[a-z][a-z0-9+.-]*:)?//(?:[^/\s?#@]*@)?${INTERNAL_HOST}|\b(?:s?ftp|dict|gopher|tftp|ldaps?|sftp|jar|netdoc|rmi|iiop)://|//[^/\s]*[\\#][^/\s]*@|^\d?://`,
    ),
  },
  // ---- NoSQL injection (CRS 4: 934 MongoDB) ------------------------------------------------
  {
    id: '934150',
    category: 'nosql',
    severity: SEVERITY.CRITICAL,
    description: 'MongoDB operator or server-side JavaScript in a value',
    on: 'forms',
    pattern:
      /[{,[]\s*["']?\$(?:where|ne|eq|gt|gte|lt|lte|nin|in|regex|exists|or|and|not|nor|expr|elemmatch|function|accumulator|comment)\b\s*["']?\s*[:\]]|(?:^|[,'"\s])\$where\s*:|\bdb\.\w+\.(?:insert|find|remove|update|drop|mapreduce)\w*\s*\(|\bthis\.\w+\.match\s*\(|(?:\|\||&&)\s*(?:'[^']*'|\d+)\s*==\s*(?:'[^']*|\d+)|\bwhile\s*\([^)]{0,40}<\s*\d+\s*\)|\bemit\s*\(\s*\d/,
  },
  // ---- CRLF / header injection (CRS 921) ---------------------------------------------------
  {
    id: '921150',
    category: 'crlf',
    severity: SEVERITY.CRITICAL,
    description: 'Line break in a path, query or cookie value (response splitting, header or mail injection)',
    on: 'text',
    locations: ['path', 'query', 'cookie'],
    pattern: /[\r\n]/,
  },
  {
    id: '921160',
    category: 'crlf',
    severity: SEVERITY.CRITICAL,
    description: 'Injected header or mail field after a line break',
    on: 'text',
    pattern: /(?:\r\n|[\r\n])\s*(?:content-type|content-length|contentlength|contenttype|set-cookie|location|x-[\w-]+|bcc|cc|to|from|subject|http\/\d)\s*:|\r\n\r\n\s*(?:<|http\/)/,
  },
  // ---- JavaScript without the usual tells ---------------------------------------------------
  {
    id: '941210',
    category: 'xss',
    severity: SEVERITY.CRITICAL,
    description: 'Script sink reached through brackets, references or string building',
    on: 'forms',
    pattern:
      /\b(?:top|self|window|parent|this|globalthis|frames|content|document)\s*\[[^\]]{1,80}\]\s*\(|[(,=[]\s*(?:alert|prompt|confirm|eval)\s*[),;\]]|\.(?:find|map|filter|call|apply|bind|foreach)\s*\(\s*(?:alert|prompt|confirm|eval)\b|['"`]\s*[-+*/]\s*(?:alert|prompt|confirm|eval)\s*[(`]/,
  },
  // ---- Files and includes -------------------------------------------------------------------
  {
    id: '930121',
    category: 'traversal',
    severity: SEVERITY.CRITICAL,
    description: 'Windows system path or server file',
    on: 'forms',
    pattern: /\b[a-z]:[\\/](?:[\w .()-]+[\\/])*[\w .-]+\.(?:log|ini|xml|conf|asa|asp|exe|dll|sys|bat|cnf)\b|\b[a-z]:[\\/]?(?:program files|system32|inetpub|apache|xampp|appserv|windows|winnt)\b/,
  },
  {
    id: '930122',
    category: 'traversal',
    severity: SEVERITY.CRITICAL,
    description: 'Absolute path into a system directory',
    on: 'forms',
    pattern: /(?:^|[\s'"=:(,;|])\/+(?:etc|proc|sys|dev|root|boot|var\/(?:log|www|lib|spool|run)|usr\/local\/(?:etc|apache\d?)|opt\/(?:lampp|bitnami))\/[\w.-]/,
  },
  {
    id: '932200',
    category: 'rce',
    severity: SEVERITY.CRITICAL,
    description: 'Server-side include, shell variable indirection or code-evaluating call',
    on: 'forms',
    pattern: /<!--\s*#\s*(?:exec|include|echo|config|printenv)\b|\b\w+=\$['"][^'"]{1,200}['"]\s*;\s*\$\w+|[;|&]\s*(?:system|exec|passthru|shell_exec|popen|proc_open|phpinfo|eval|assert)\s*\(|\\n\s*(?:\/(?:usr\/)?s?bin\/)?(?:id|ls|cat|uname|whoami|netstat)\b/,
  },
];
