/** The CLI's version, sent in its User-Agent (kept in step with package.json by the release). */
export const CLI_VERSION = '0.1.0';
