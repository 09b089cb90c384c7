document.getElementById('now').textContent = `Rendered at ${new Date().toISOString()}`;
