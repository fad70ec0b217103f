import React from "react";
import DOMPurify from "dompurify";

export function Comment({ comment }) {
  // ruleid: RRA-JS-DANGEROUS-HTML
  return <div dangerouslySetInnerHTML={{ __html: comment.body }} />;
}

export function SafeComment({ comment }) {
  // ok: RRA-JS-DANGEROUS-HTML
  return <div dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(comment.body) }} />;
}

export function Banner() {
  const fragment = window.location.hash.slice(1);
  // ruleid: RRA-JS-XSS
  document.getElementById("banner").innerHTML = fragment;
  // ok: RRA-JS-XSS
  document.getElementById("banner").textContent = fragment;
  return null;
}
