document.getElementById('cas-post').submit();
