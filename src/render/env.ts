// The template environment lives in core/ (add-ons and roles render with it).
export * from '../core/templates.js';
