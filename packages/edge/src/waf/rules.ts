/**
 * The in-process WAF's attack rules, modelled on the OWASP Core Rule Set (CRS 3.3) families and
 * numbered like them (942 = SQL injection, 941 = XSS, 930 = path traversal, 932 = command
 * injection, 913 = scanners, 944/934 = Java/Node specials). Each rule matches decoded, lowercased
 * text (see normalise.ts) and adds its severity to the value's anomaly score; a value scoring at
 * least `blockScore` (5 by default) blocks the request, so a CRITICAL rule blocks alone and two
 * WARNINGs together block. Patterns are written against realistic payloads and tested against the
 * shop's own traffic (corpus/legit.jsonl): apostrophes, quotes, "&", "<3", "select your size",
 * "Union Jack" and "drop shoulder" must pass.
 */

import { SEVERITY, type WafRule } from './rule-types.js';
import { MORE_RULES } from './rules-more.js';
import { detectSqlInjection } from './sql-tokenizer.js';

export { SEVERITY, type ValueLocation, type WafCategory, type WafRule } from './rule-types.js';

const SHELL_COMMANDS =
  'cat|ls|id|whoami|uname|pwd|wget|curl|nc|ncat|netcat|bash|sh|zsh|python[23]?|perl|ruby|php|ping|nslookup|rm|chmod|chown|echo|sleep|powershell|cmd|nmap|telnet|ifconfig|ipconfig|net|tftp|base64|env|printenv|kill|touch|socat|awk|find|head|tail|type|dir|hostname|systeminfo|netstat';

// an argument that only a shell command line has: a flag, a path, a variable, a number then the end
const SHELL_ARG_AFTER_WORD = String.raw`\s*[;|&\x60#]|\s*[<>]|\s+-{1,2}[a-z]|\s+[/\\~$]|\s+\.{1,2}/|\s+\d+\s*(?:$|[;|&#])|\s+['"]|\s+\d{1,3}(?:\.\d{1,3}){3}|\s+(?:https?|ftp)://|\s+[a-z]:\\|\$\{?ifs|\{`;
const SHELL_ARG = String.raw`(?:\s*$|${SHELL_ARG_AFTER_WORD})`;
// A value that is nothing but a command word ("id", "type", "cat", "head") is a JSON key, a search
// or a product name far more often than an attack: at the start of a value a command only counts
// with something only a command line has after it. After a separator (";id", "| id") it always does.
const SHELL_ARG_AT_START = String.raw`(?:${SHELL_ARG_AFTER_WORD})`;

const BASE_RULES: readonly WafRule[] = [
  // ---- SQL injection (CRS 942) -------------------------------------------------------------
  {
    id: '942001',
    category: 'sqli',
    severity: SEVERITY.CRITICAL,
    description: 'SQL injection by token grammar (tautology, sub-select, UNION, stacked query, comment after a closed quote)',
    on: 'forms',
    pattern: { test: (value: string) => detectSqlInjection(value) !== undefined },
  },
  {
    id: '942100',
    category: 'sqli',
    severity: SEVERITY.CRITICAL,
    description: 'SQL tautology after a closing quote',
    on: 'forms',
    pattern:
      /['"`´’]\s*\)*\s*(?:or|and|xor|\|\||&&)\s+\(*\s*(?:['"]?[\w\s]{0,30}['"]?\s*(?:=|<>|!=|<=?|>=?|\blike\b|\bis\s+(?:not\s+)?null|\bin\s*\(|\bbetween\b|\bregexp\b|\brlike\b)|(?:true|false|not|null|\d+)\b\s*(?:--|#|\/\*|;|$))/,
  },
  {
    id: '942110',
    category: 'sqli',
    severity: SEVERITY.CRITICAL,
    description: 'Quote closed and the rest of the query commented out',
    on: 'text',
    pattern: /['"]\s*\)*\s*(?:--|#|\/\*|;\s*--|;\s*%00|;\s*$)\s*(?:-?\s*\w{0,3}\s*)$/,
  },
  {
    id: '942120',
    category: 'sqli',
    severity: SEVERITY.WARNING,
    description: 'Quote followed by an SQL comment',
    on: 'text',
    pattern: /['"]\s*\)*\s*(?:--\s|#|\/\*)/,
  },
  {
    id: '942130',
    category: 'sqli',
    severity: SEVERITY.CRITICAL,
    description: 'UNION SELECT',
    on: 'forms',
    pattern: /\bunion\b(?:\s+(?:all|distinct))?\s*\(*\s*select\b/,
  },
  {
    id: '942140',
    category: 'sqli',
    severity: SEVERITY.CRITICAL,
    description: 'Stacked query: statement after a semicolon',
    on: 'forms',
    pattern:
      /;\s*(?:(?:drop|truncate|alter|create)\s+(?:table|database|schema|user|function|procedure|view|index|trigger|role)\b|delete\s+from\b|insert\s+into\b|update\s+[\w."]+\s+set\b|exec(?:ute)?\s+[\w.@]|declare\s+@|shutdown\b|grant\s+\w|select\s+(?:\*|pg_sleep|sleep|@@|\w+\s*\(|\d)|copy\s+\w)/,
  },
  {
    id: '942150',
    category: 'sqli',
    severity: SEVERITY.WARNING,
    description: 'Destructive SQL statement',
    on: 'forms',
    pattern: /\b(?:drop|truncate)\s+(?:table|database|schema)\s+[\w."`]+|\bdelete\s+from\s+[\w."`]+\s*(?:where|;|--|$)|\binsert\s+into\s+[\w."`]+\s*(?:\(|values|select)/,
  },
  {
    id: '942160',
    category: 'sqli',
    severity: SEVERITY.CRITICAL,
    description: 'Blind SQL injection: time delay or out-of-band function',
    on: 'forms',
    pattern:
      /\b(?:sleep|pg_sleep|benchmark|randomblob|load_file|extractvalue|updatexml|utl_inaddr\.\w+|utl_http\.\w+|dbms_pipe\.receive_message|dbms_lock\.sleep|pg_read_file|pg_ls_dir|lo_import|lo_export|xp_cmdshell|xp_dirtree|sp_executesql|sp_oacreate|openrowset|opendatasource|make_set|elt|geometrycollection|polygon|multipoint)\s*\(\s*[\d'"(@a-z]|\bwaitfor\s+(?:delay|time)\s+'/,
  },
  {
    id: '942170',
    category: 'sqli',
    severity: SEVERITY.CRITICAL,
    description: 'Database catalogue or system table access',
    on: 'forms',
    pattern:
      /\b(?:information_schema|pg_catalog|pg_shadow|pg_user|pg_database|mysql\.user|sysobjects|syscolumns|sys\.(?:tables|objects|columns|databases)|all_tables|user_tables|sqlite_master|msysobjects|dual\b\s*(?:--|#|where|union|;))/,
  },
  {
    id: '942180',
    category: 'sqli',
    severity: SEVERITY.CRITICAL,
    description: 'SQL system variable or identity function',
    on: 'forms',
    pattern: /@@(?:version|datadir|hostname|servername|basedir|identity|spid)\b|\b(?:version|database|current_user|current_database|schema|system_user|session_user|user_name|db_name)\s*\(\s*\)/,
  },
  {
    id: '942190',
    category: 'sqli',
    severity: SEVERITY.CRITICAL,
    description: 'Numeric or self-equal tautology after a boolean operator',
    on: 'forms',
    pattern:
      /(?:\b(?:or|and|xor)|\|\||&&)\s+\(*\s*(?:\d+\s*(?:=|<>|!=|<=?|>=?)\s*\(*\s*\d+|(['"]?)([a-z_]\w{0,20})\1\s*=\s*['"]?\2\b|not\s+\d+\s*=|\d+\s*(?:--|#)|(?:true|false)\s*(?:--|#|;|$))/,
  },
  {
    id: '942200',
    category: 'sqli',
    severity: SEVERITY.CRITICAL,
    description: 'ORDER BY / GROUP BY column probing',
    on: 'forms',
    pattern: /['")]\s*(?:order|group)\s+by\s+\d+|\border\s+by\s+\d+\s*(?:--|#|\/\*|;|$)|\bhaving\s+\d+\s*=\s*\d+|\bwhere\s+\d+\s*=\s*\d+/,
  },
  {
    id: '942210',
    category: 'sqli',
    severity: SEVERITY.CRITICAL,
    description: 'File write through SELECT … INTO OUTFILE',
    on: 'forms',
    pattern: /\binto\s+(?:out|dump)file\b/,
  },
  {
    id: '942220',
    category: 'sqli',
    severity: SEVERITY.CRITICAL,
    description: 'SELECT of SQL-only expressions',
    on: 'forms',
    pattern: /\bselect\s+(?:\*\s*from\s+[\w.]+\s*(?:where|limit|--|#|;|,|$)|null\s*,|@@|\d+\s*,\s*\d+|(?:count|concat|group_concat|char|version|user|database)\s*\(|[\w.]+\s+from\s+[\w.]+\s+where\b)|\bselect\b[^;]{0,80}\bfrom\b[^;]{0,80}\b(?:where|limit)\b[^;]{0,40}(?:=|--|#)/,
  },
  {
    id: '942230',
    category: 'sqli',
    severity: SEVERITY.WARNING,
    description: 'SQL string building or conversion function',
    on: 'forms',
    pattern: /\b(?:char|chr|nchar|concat|concat_ws|group_concat|unhex|hex|ascii|substring|substr|mid|cast|convert|string_agg|array_agg)\s*\(/,
  },
  {
    id: '942240',
    category: 'sqli',
    severity: SEVERITY.CRITICAL,
    description: 'Boolean sub-select or conditional probe',
    on: 'forms',
    pattern: /(?:\b(?:and|or)\b|\|\||&&)\s+\(*\s*(?:select\b|exists\s*\(|not\s+exists\s*\()|\bif\s*\(\s*\d+\s*[=<>]\s*\d+\s*,|\bcase\s+when\b.{0,60}\bthen\b/,
  },
  {
    id: '942250',
    category: 'sqli',
    severity: SEVERITY.WARNING,
    description: 'Long hexadecimal literal',
    on: 'forms',
    pattern: /\b0x[0-9a-f]{6,}\b/,
  },
  {
    id: '942260',
    category: 'sqli',
    severity: SEVERITY.WARNING,
    description: 'Inline SQL comment inside text (keyword splitting)',
    on: 'text',
    pattern: /\w\/\*[^*]*\*\/\w|\/\*!\d*/,
  },
  {
    id: '942270',
    category: 'sqli',
    severity: SEVERITY.WARNING,
    description: 'Quote followed by string concatenation',
    on: 'forms',
    pattern: /['"]\s*(?:\|\||\+)\s*['"(]|['"]\s*;\s*(?:select|drop|update|delete|insert|exec)/,
  },
  {
    id: '942280',
    category: 'sqli',
    severity: SEVERITY.CRITICAL,
    description: 'PostgreSQL injection specifics',
    on: 'forms',
    pattern: /\bcopy\s+\(?[\w.]+.{0,40}\b(?:from|to)\s+program\b|'\s*::\s*(?:text|int|integer|varchar)\b|\$\$\s*;|\bpg_(?:sleep|read_file|ls_dir|terminate_backend)\b/,
  },

  // ---- XSS (CRS 941) ------------------------------------------------------------------------
  {
    id: '941110',
    category: 'xss',
    severity: SEVERITY.CRITICAL,
    description: 'Script tag',
    on: 'forms',
    pattern: /<\s*\/?\s*script\b/,
  },
  {
    id: '941120',
    category: 'xss',
    severity: SEVERITY.CRITICAL,
    description: 'Event handler attribute',
    on: 'forms',
    pattern:
      /(?:^|[\s"'`/;<>])on(?:abort|afterprint|animation(?:end|iteration|start)|auxclick|beforeprint|beforeunload|begin|blur|canplay\w*|change|click|contextmenu|copy|cut|dblclick|drag\w*|drop|durationchange|end|ended|error|focus|focusin|focusout|formdata|hashchange|input|invalid|keydown|keypress|keyup|load|loadeddata|loadedmetadata|loadstart|message|mouse\w+|offline|online|pagehide|pageshow|paste|pause|play|playing|pointer\w+|popstate|progress|readystatechange|repeat|reset|resize|scroll|search|seeked|seeking|select|selectstart|show|start|submit|toggle|touch\w+|transition\w+|unload|volumechange|wheel)\s*=/,
  },
  {
    id: '941130',
    category: 'xss',
    severity: SEVERITY.CRITICAL,
    description: 'Script URL scheme',
    on: 'forms',
    pattern: /(?:java|vb|live|ecma|j\s*a\s*v\s*a\s*)\s*s\s*c\s*r\s*i\s*p\s*t\s*:|\bdata\s*:\s*(?:text\/html|image\/svg\+xml|application\/(?:x-)?javascript)/,
  },
  {
    id: '941140',
    category: 'xss',
    severity: SEVERITY.CRITICAL,
    description: 'Tag that can run script or change the document',
    on: 'forms',
    pattern: /<\s*\/?\s*(?:iframe|frame|frameset|object|embed|applet|svg|math|base|meta|link|style|isindex|xml|portal|xss|template|animate|set|handler|listener|vmlframe)\b/,
  },
  {
    id: '941150',
    category: 'xss',
    severity: SEVERITY.WARNING,
    description: 'HTML element that takes a URL or handler',
    on: 'forms',
    pattern: /<\s*(?:img|image|input|form|button|textarea|body|video|audio|source|details|marquee|select|keygen|a|div|table|td|bgsound|layer|ilayer|html)\b[^<]*?(?:[\s/]|$)/,
  },
  {
    id: '941160',
    category: 'xss',
    severity: SEVERITY.CRITICAL,
    description: 'JavaScript sink called with a simple argument',
    on: 'forms',
    pattern: /\b(?:alert|prompt|confirm|eval|settimeout|setinterval|execscript|print)\s*(?:\(\s*[\w'"`./[\]]*\s*\)|`[^`]*`)|\bfromcharcode\s*\(|\batob\s*\(|\bconstructor\s*\(\s*['"`]|\bimport\s*\(\s*['"`]/,
  },
  {
    id: '941170',
    category: 'xss',
    severity: SEVERITY.CRITICAL,
    description: 'DOM access to cookies, location or document writing',
    on: 'forms',
    pattern:
      /\bdocument\s*(?:\.\s*(?:cookie|domain|write\w*|location|body\s*\.\s*innerhtml)|\[\s*['"`](?:cookie|write|location))|\bwindow\s*\.\s*(?:location|open|name)\b|\b(?:inner|outer)html\s*=|\blocation\s*\.\s*(?:href|hash|replace|assign)\b|\bself\s*\[\s*['"`]/,
  },
  {
    id: '941180',
    category: 'xss',
    severity: SEVERITY.CRITICAL,
    description: 'Dangerous attribute (srcdoc, formaction, style expression, XBL binding)',
    on: 'forms',
    pattern: /\b(?:srcdoc|formaction|xlink:href|dynsrc|lowsrc)\s*=|style\s*=[^>]{0,80}(?:expression\s*\(|url\s*\(\s*['"]?\s*javascript)|-moz-binding\s*:|\bbehavior\s*:\s*url/,
  },
  {
    id: '941190',
    category: 'xss',
    severity: SEVERITY.WARNING,
    description: 'Attribute break-out (quote then angle bracket or attribute)',
    on: 'forms',
    pattern: /['"]\s*\/?>\s*<|['"]\s+(?:src|href|style|autofocus)\s*=|['"]\s*autofocus\b/,
  },
  {
    id: '941200',
    category: 'xss',
    severity: SEVERITY.CRITICAL,
    description: 'XML entity / CDATA smuggling',
    on: 'forms',
    pattern: /<!\s*(?:entity|doctype\s+\w+\s*\[)|<!\[cdata\[.{0,40}<|<\?xml[^>]*\?>\s*<!/,
  },

  // ---- Path traversal and file access (CRS 930/931) ----------------------------------------
  {
    id: '930100',
    category: 'traversal',
    severity: SEVERITY.CRITICAL,
    description: 'Directory traversal',
    on: 'text',
    pattern: /(?:^|[\\/=:'"\s])\.{2,}[\\/]|[\\/]\.{2,}(?:[\\/;]|$)|\.\.;[\\/]/,
  },
  {
    id: '930120',
    category: 'traversal',
    severity: SEVERITY.CRITICAL,
    description: 'Operating system file access',
    on: 'forms',
    pattern:
      /(?:^|[\\/\s'"=])(?:etc[\\/](?:passwd|shadow|group|hosts|issue|crontab|sudoers|master\.passwd)|proc[\\/](?:self|\d+)[\\/]|boot\.ini|win\.ini|system\.ini|windows[\\/]system32|\.ssh[\\/]|\.htpasswd|\.htaccess|var[\\/]log[\\/]|web\.config|wp-config\.php|\.bash_history|\.aws[\\/]credentials|\.git[\\/](?:config|head))|\b[a-z]:\\(?:windows|winnt|boot|inetpub)/,
  },
  {
    id: '930130',
    category: 'traversal',
    severity: SEVERITY.CRITICAL,
    description: 'Stream wrapper or local-file URL scheme',
    on: 'forms',
    pattern: /\b(?:file|php|phar|expect|zip|glob|gopher|dict|jar|netdoc|ldap|tftp|compress\.zlib|data):\/\//,
  },
  {
    id: '930140',
    category: 'traversal',
    severity: SEVERITY.CRITICAL,
    description: 'NUL byte (truncation)',
    on: 'text',
    pattern: /\u0000/,
  },

  // ---- Command injection (CRS 932) ----------------------------------------------------------
  {
    id: '932100',
    category: 'rce',
    severity: SEVERITY.CRITICAL,
    description: 'Shell command after a command separator',
    on: 'text',
    pattern: new RegExp(
      String.raw`(?:[;|&\n\r\x60]|\$\()\s*(?:\{\s*)?(?:/(?:usr/)?(?:s?bin)/)?(?:${SHELL_COMMANDS})\b${SHELL_ARG}|^\s*(?:\{\s*)?(?:/(?:usr/)?(?:s?bin)/)?(?:${SHELL_COMMANDS})\b${SHELL_ARG_AT_START}`,
    ),
  },
  {
    id: '932110',
    category: 'rce',
    severity: SEVERITY.CRITICAL,
    description: 'Command substitution',
    on: 'forms',
    pattern: new RegExp(String.raw`\$\(\s*(?:${SHELL_COMMANDS})\b|\x60\s*(?:${SHELL_COMMANDS})\b[^\x60]*\x60|\$\{ifs\}|\$ifs\b`),
  },
  {
    id: '932120',
    category: 'rce',
    severity: SEVERITY.CRITICAL,
    description: 'Shell, reverse shell or download-and-run',
    on: 'forms',
    pattern:
      /\/bin\/(?:ba|z|da|k|c|tc)?sh\b|\/dev\/(?:tcp|udp)\/|\bnc(?:at)?(?:\.exe)?\s+(?:-\w+\s+)*\d{1,3}(?:\.\d{1,3}){3}|\b(?:wget|curl)\s+(?:-\S+\s+)*(?:https?|ftp):\/\/|\|\s*(?:ba)?sh\b|\bpowershell(?:\.exe)?\s+-\w|\bcmd(?:\.exe)?\s+\/[ck]\b|>&\s*\/dev\/|\bchmod\s+[+0-7]|\brm\s+-[rf]{1,2}\b|\bbase64\s+-d\b|\bpython[23]?\s+-c\s|\bperl\s+-e\s|\bruby\s+-e\s|\bphp\s+-r\s|\bbash\s+-[ci]\b|(?:^|[;|&\s])(?:nslookup|dig|ping|traceroute)\s+(?:-\S+\s+)*[\w-]+(?:\.[\w-]+)+/,
  },
  {
    id: '932170',
    category: 'rce',
    severity: SEVERITY.CRITICAL,
    description: 'Shellshock function definition',
    on: 'text',
    pattern: /\(\s*\)\s*\{\s*[:\w]*\s*;\s*\}\s*;/,
  },

  // ---- Java / template / Node specials (CRS 944, 934) ---------------------------------------
  {
    id: '944150',
    category: 'java',
    severity: SEVERITY.CRITICAL,
    description: 'Log4Shell JNDI lookup',
    on: 'forms',
    pattern: /\$\{\s*(?:jndi|(?:lower|upper|env|sys|date|base64|java|main|ctx|::-)[^}]{0,40}(?:j|\}))/,
  },
  {
    id: '934130',
    category: 'java',
    severity: SEVERITY.CRITICAL,
    description: 'Server-side template injection probe',
    on: 'forms',
    pattern: /\{\{\s*[\d\w.]*\s*[*+]\s*\d+\s*\}\}|\{\{[^}]{0,60}(?:constructor|__class__|__globals__|process\.|require\s*\()|\$\{\s*\d+\s*\*\s*\d+\s*\}|<%=?\s*\d+\s*\*\s*\d+\s*%>|#\{\s*\d+\s*\*\s*\d+\s*\}/,
  },

  // ---- Scanners and probes (CRS 913, 920) ---------------------------------------------------
  {
    id: '913100',
    category: 'scanner',
    severity: SEVERITY.CRITICAL,
    description: 'Security scanner user agent',
    on: 'forms',
    locations: ['user-agent'],
    pattern:
      /\b(?:sqlmap|nikto|nmap|masscan|acunetix|nessus|openvas|w3af|dirbuster|gobuster|wpscan|zgrab|nuclei|havij|netsparker|arachni|jaeles|feroxbuster|ffuf|wfuzz|whatweb|commix|dirb|skipfish|xsser|appscan|webinspect|burpcollaborator|zmeu|morfeus|fimap|paros|webshag|bsqlbf|pangolin|jorgee|owasp[ _-]?zap|zaproxy|httprint|sqlninja|brutus|metasploit|hydra|medusa|dotdotpwn|grabber|vega\/|wapiti|joomscan|droopescan|cmsmap|xsstrike|dalfox|interactsh|fuzz faster u fool)\b/,
  },
  {
    id: '913120',
    category: 'scanner',
    severity: SEVERITY.CRITICAL,
    description: 'Probe for files and admin tools this shop never serves',
    on: 'forms',
    locations: ['path'],
    pattern:
      /^\/(?:.*\/)?(?:wp-(?:admin|login\.php|content|includes|config)|xmlrpc\.php|phpmyadmin|pma\/|myadmin|adminer|\.env(?:\.\w+)?$|\.git\/|\.svn\/|\.hg\/|\.ds_store|\.aws\/|\.docker|server-(?:status|info)|cgi-bin\/|actuator\b|solr\/|hnap1|boaform|vendor\/phpunit|manager\/html|jmx-console|web-console|invoker\/|console\/|telescope\/|_ignition\/|\.well-known\/(?!security\.txt|change-password|apple-app-site-association|assetlinks\.json)|autodiscover\/|owa\/|ecp\/|remote\/login|setup\.cgi|shell\b|eval-stdin\.php)|\.(?:php\d?|aspx?|jsp|jspa|cgi|pl|cfm|asmx|axd|do|action|bak|old|orig|swp|sql|sqlite|db|ini|log|tar|tgz|gz|zip|rar|7z|war|jar|pem|key|yml|yaml|conf|config)$/,
  },
];

/** Every rule, in evaluation order: the CRS-style families above, then the classes of rules-more.ts. */
export const WAF_RULES: readonly WafRule[] = [...BASE_RULES, ...MORE_RULES];

/** A protocol limit (method, content type, sizes): these decide alone, they are not scored. */
export const PROTOCOL_RULE_IDS = {
  METHOD: '911100',
  CONTENT_TYPE: '920420',
  BODY_SIZE: '920400',
  URL_LENGTH: '920230',
  HEADER_COUNT: '920380',
  HEADER_SIZE: '920390',
  ARG_COUNT: '920370',
  PROTOTYPE_POLLUTION: '934110',
} as const;
