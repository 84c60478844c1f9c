// Issues live in core/ (every layer reports them).
export * from '../core/issue.js';
