// Documents of a room: drag and drop or a file input, several files at once, one PUT of raw bytes per file with
// its progress bar; a failed upload can be retried. Works with the keyboard (the input and the button).
(() => {
  const zone = document.querySelector('.upload');
  if (!zone) return;
  const url = zone.getAttribute('data-upload-url');
  const csrf = zone.getAttribute('data-csrf');
  const maxBytes = Number(zone.getAttribute('data-max-bytes'));
  const input = document.getElementById('files');
  const button = document.getElementById('upload-button');
  const list = document.getElementById('upload-list');
  const drop = zone.querySelector('.drop-zone');
  const messages = {};
  const template = document.getElementById('upload-messages');
  Array.prototype.forEach.call(template.content.querySelectorAll('[data-key]'), (span) => {
    messages[span.getAttribute('data-key')] = span.textContent;
  });
  let pending = 0;
  let added = 0;

  function finished() {
    pending -= 1;
    // Every file answered and one at least was added: show the room with its new documents.
    if (pending === 0 && added > 0)
      window.setTimeout(() => {
        window.location.reload();
      }, 600);
  }

  function upload(file, item) {
    item.textContent = '';
    const name = document.createElement('span');
    name.textContent = `${file.name} `;
    const bar = document.createElement('progress');
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute('aria-label', file.name);
    const status = document.createElement('span');
    status.textContent = messages.uploading;
    item.appendChild(name);
    item.appendChild(bar);
    item.appendChild(status);
    if (file.size > maxBytes) {
      status.textContent = `${messages.failed} : ${messages.tooLarge}`;
      bar.remove();
      return;
    }
    pending += 1;
    const request = new XMLHttpRequest();
    request.open('PUT', `${url}?filename=${encodeURIComponent(file.name)}`);
    request.setRequestHeader('content-type', 'application/octet-stream');
    request.setRequestHeader('x-csrf-token', csrf);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) bar.value = Math.round((event.loaded / event.total) * 100);
    };
    request.onload = () => {
      if (request.status === 201) {
        bar.value = 100;
        status.textContent = messages.done;
        added += 1;
      } else {
        let detail = '';
        try {
          detail = JSON.parse(request.responseText).message || '';
        } catch (_e) {
          detail = '';
        }
        failed(file, item, status, detail);
      }
      finished();
    };
    request.onerror = () => {
      failed(file, item, status, '');
      finished();
    };
    request.send(file);
  }

  function failed(file, item, status, detail) {
    status.textContent = `${messages.failed + (detail ? ` : ${detail}` : '')} `;
    const retry = document.createElement('button');
    retry.type = 'button';
    retry.className = 'fr-btn fr-btn--tertiary fr-btn--sm';
    retry.textContent = `${messages.retry} (${file.name})`;
    retry.addEventListener('click', () => {
      upload(file, item);
    });
    item.appendChild(retry);
  }

  function send(files) {
    Array.prototype.forEach.call(files, (file) => {
      const item = document.createElement('li');
      list.appendChild(item);
      upload(file, item);
    });
  }

  button.addEventListener('click', () => {
    if (input.files && input.files.length > 0) send(input.files);
    input.value = '';
  });
  ['dragenter', 'dragover'].forEach((type) => {
    drop.addEventListener(type, (event) => {
      event.preventDefault();
      drop.classList.add('is-dragover');
    });
  });
  ['dragleave', 'drop'].forEach((type) => {
    drop.addEventListener(type, () => {
      drop.classList.remove('is-dragover');
    });
  });
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    if (event.dataTransfer?.files) send(event.dataTransfer.files);
  });
})();
