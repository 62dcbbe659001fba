import { secureHeaders } from 'hono/secure-headers'

/**
 * Security headers for the page: its scripts and styles may come only from the shop itself (no inline
 * script, no other site's), it talks only to the shop, and no site may frame it: the CSP's `frame-ancestors`
 * and the older browsers' `X-Frame-Options` say the same.
 */
export const pageHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'"],
    connectSrc: ["'self'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  xFrameOptions: 'DENY',
  referrerPolicy: 'no-referrer',
})
