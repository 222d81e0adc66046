/** Saves `text` as a file named `name` through the browser's download (the report and trace exports). */
export function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  // The click starts the download synchronously; the URL only needs to outlive it.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
